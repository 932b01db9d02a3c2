package i18n

// chinese is the catalogue: each message crmctl writes to people, keyed by its English
// format (as written in the code), with its Chinese text. Both use the same arguments
// with the same verbs (%[n]v reorders them); the catalogue test checks that, and that
// every message the code localises is here and every entry is used.
//
// Words: 公海 (public pool), 客户, 跟进状态 (status), 领取 (claim), 导入 (import),
// 令牌 (token), 登录 (log in), 配置文件, 字段, 选项, 行. Digits stay Arabic; a Count
// is grouped (2,000).
var chinese = map[string]string{
	// Printing an error (cmd/main.go)
	"hint: %s\n":      "提示：%s\n",
	"interrupted":     "已中断",
	"%s: interrupted": "%s：已中断",
	"interrupted (the %s %s request may have reached the server)":                                                        "已中断（%s %s 请求可能已到达服务器）",
	"the API limits how many requests an account may send: wait, then run the command again":                             "API 限制了每个账号的请求频率：请稍候再运行一次",
	"the server failed to answer the request: try again later; --debug shows each request":                               "服务器未能响应请求：请稍后重试；--debug 可显示每个请求",
	"nothing was sent: check that the team's Redis runs and that CRMCTL_REDIS_URL (or the profile's redis_url) names it": "未发送任何请求：请确认团队的 Redis 正在运行，且 CRMCTL_REDIS_URL（或配置档的 redis_url）指向它",
	"run `crmctl auth login`, or set CRMCTL_TOKEN (try `--sandbox` for the local emulator)":                              "请运行 `crmctl auth login` 登录，或设置 CRMCTL_TOKEN（想先试用可加 `--sandbox` 使用本地模拟器）",
	"%s: %v": "%s：%v",

	// The command line (cobra and pflag)
	"unknown flag: %s":                                            "未知选项：%s",
	"unknown shorthand flag: '%s' in %s":                          "未知的短选项：'%s'（在 %s 中）",
	"flag needs an argument: %s":                                  "选项缺少参数值：%s",
	"invalid argument %q for %q flag: %s":                         "选项 %[2]q 的参数 %[1]q 无效：%[3]s",
	"bad flag syntax: %s":                                         "选项格式错误：%s",
	"accepts %s arg(s), received %s":                              "需要 %s 个参数，实际收到 %s 个",
	"accepts at most %s arg(s), received %s":                      "最多接受 %s 个参数，实际收到 %s 个",
	"requires at least %s arg(s), only received %s":               "至少需要 %s 个参数，只收到 %s 个",
	"unknown command %q for %q":                                   "%[2]q 没有命令 %[1]q",
	"unknown command %q for %q\nrun `%s --help` for its commands": "%[2]q 没有命令 %[1]q\n运行 `%[3]s --help` 查看可用的命令",
	"required flag(s) %s not set":                                 "缺少必填选项：%s",
	"unknown shell %q: use bash, zsh, fish or powershell":         "未知的 shell %q：可选 bash、zsh、fish 或 powershell",

	// Settings and the config file
	"crmctl: warning: %s\n":                                                                "crmctl：警告：%s\n",
	"crmctl: warning: requests are not paced: %v\n":                                        "crmctl：警告：请求未做限速：%v\n",
	"crmctl: throttled by the API; retrying in %s\n":                                       "crmctl：被 API 限流，%s 后重试\n",
	"%s: invalid boolean %q (want 1/true/yes/on or 0/false/no/off)":                        "%s：布尔值 %q 无效（可用 1/true/yes/on 或 0/false/no/off）",
	"%s: invalid cache TTL %q: %v":                                                         "%s：缓存有效期 %q 无效：%v",
	"%s: invalid language %q (want zh or en)":                                              "%s：语言 %q 无效（可用 zh 或 en）",
	"%s: invalid output format %q (want table or json)":                                    "%s：输出格式 %q 无效（可用 table 或 json）",
	"%s: invalid rate %q: expected N/DURATION such as 10/10s, or off":                      "%s：限速 %q 无效：应为 次数/时长（如 10/10s），或 off",
	"%s: invalid timeout %q (want a positive duration such as 30s or 2m)":                  "%s：超时 %q 无效（应为正的时长，如 30s 或 2m）",
	"%s: the config file path must not be empty":                                           "%s：配置文件路径不能为空",
	"cannot locate the home folder: set HOME or %s":                                        "找不到用户主目录：请设置 HOME 或 %s",
	"config file %s: %v":                                                                   "配置文件 %s：%v",
	"config file %s is a folder: --config and CRMCTL_CONFIG name a file":                   "配置文件 %s 是一个文件夹：--config 和 CRMCTL_CONFIG 应指向一个文件",
	"config file %s cannot be read: %v":                                                    "无法读取配置文件 %s：%v",
	"a profile name must not be empty":                                                     "配置档名称不能为空",
	"invalid profile name %q: use letters, digits and - _ . @ +, not starting with . or -": "配置档名称 %q 无效：只能用字母、数字和 - _ . @ +，且不能以 . 或 - 开头",
	"unknown profile %q (profiles: %s); run `crmctl auth login --profile %s`":              "没有配置档 %q（现有：%s）；请运行 `crmctl auth login --profile %s`",
	"profile %s: cache_ttl %q: %v":                                                         "配置档 %s：cache_ttl %q：%v",
	"invalid base URL %q: %v":                                                              "API 地址 %q 无效：%v",
	"invalid base URL %q: want an absolute URL such as %s":                                 "API 地址 %q 无效：应为完整网址，如 %s",
	"invalid base URL %q: no host":                                                         "API 地址 %q 无效：缺少主机名",
	"invalid base URL %q: credentials do not belong in the URL":                            "API 地址 %q 无效：网址中不能包含账号密码",
	"invalid base URL %q: no query or fragment allowed":                                    "API 地址 %q 无效：不能带查询参数或 # 片段",
	"refusing plain-http base URL %q: https:// is required unless the host is loopback (127.0.0.0/8, ::1, localhost)": "拒绝使用明文 http 的 API 地址 %q：除本机地址（127.0.0.0/8、::1、localhost）外必须使用 https://",

	// The API and the network
	"no API token: log in first":                                          "没有 API 令牌：请先登录",
	"not logged in (profile %q has no token and CRMCTL_TOKEN is not set)": "尚未登录（配置档 %q 没有令牌，也未设置 CRMCTL_TOKEN）",
	"the embedded sandbox: %w":                                            "内置沙箱：%v",
	"the API refused the request":                                         "API 拒绝了请求",
	"%s (code %d)":                                                        "%s（错误码 %d）",
	"%s (code %d, %s)":                                                    "%s（错误码 %d，%s）",
	"unexpected answer from %s %s (HTTP %d)":                              "%s %s 返回了无法识别的响应（HTTP %d）",
	"%[1]s %[2]s: %[3]v":                                                  "%[1]s %[2]s：网络错误：%[3]v",
	" (the request may have reached the server)":                          "（请求可能已到达服务器）",
	"%s %s: still throttled by the API (Retry later) after %d attempt":    "%s %s：尝试 %d 次后仍被 API 限流（Retry later）",
	"%s %s: still throttled by the API (Retry later) after %d attempts":   "%s %s：尝试 %d 次后仍被 API 限流（Retry later）",
	"; retry after %s":                                                    "；请在 %s 后重试",
	"no answer within %s (timeout)":                                       "%s 内没有响应（超时）",

	// auth
	"--with-token and --password-stdin both read standard input: use one":                                                                     "--with-token 和 --password-stdin 都从标准输入读取：只能用其中一个",
	"the embedded sandbox needs no login: run commands with --sandbox directly (to log in to `crmctl sandbox serve`, point --base-url at it)": "内置沙箱无需登录：直接在命令上加 --sandbox 即可（要登录 `crmctl sandbox serve`，请把 --base-url 指向它）",
	"--password-stdin: %v":     "--password-stdin：%v",
	"cannot log in without %s": "缺少 %s，无法登录",
	"check the account, the password and the corp id, and that --base-url is the API host of your edition": "请检查账号、密码和企业 ID，并确认 --base-url 是你所用版本的 API 地址",
	"--with-token: %v":                         "--with-token：%v",
	"--with-token: the token must be one word": "--with-token：令牌必须是一个不含空格的词",
	"the API refused this token: check it, or log in with the account and password instead": "API 拒绝了这个令牌：请检查令牌，或改用账号密码登录",
	"an empty password": "密码为空",

	// customers
	"a customer needs a name":                                               "客户名称不能为空",
	"--field %s: that field is already given":                               "--field %s：该字段已经给出",
	"--pool is required: a pool id or exact name (see `crmctl pools list`)": "缺少 --pool：请给出公海的 ID 或完整名称（见 `crmctl pools list`）",
	"--name is required: the customer's name (客户名称)":                        "缺少 --name：客户名称",
	"--name is required: the customer's exact name (客户名称)":                  "缺少 --name：客户的完整名称",
	"--if-exists %q: use create, skip or fail":                              "--if-exists %q：请用 create、skip 或 fail",
	"run `crmctl auth login`":                                               "请运行 `crmctl auth login`",

	// api
	"crmctl api does not log in: a new login ends the stored token's session":             "crmctl api 不做登录：新的登录会让已保存令牌的会话下线",
	"--input %s: not JSON; give its type with -H 'Content-Type: ...' to send it as it is": "--input %s：不是 JSON；如要原样发送，请用 -H 'Content-Type: ...' 指明类型",
	"-X %q: not an HTTP method":                    "-X %q：不是 HTTP 方法",
	"--paginate reads lists: it needs GET, not %s": "--paginate 用于读取列表：需要 GET，而不是 %s",
	"--paginate: page=%q is not a page number":     "--paginate：page=%q 不是页码",
	"--from-file: %v":                              "--from-file：%v",
	"--from-file %s: %v":                           "--from-file %s：%v",
	"--from-file %s: larger than %d bytes; for many customers use `crmctl customers import`": "--from-file %s：超过 %d 字节；批量创建客户请用 `crmctl customers import`",
	"the account sees no public pool: nothing to create the customer in":                     "该账号看不到任何公海：没有可以创建客户的地方",
	"customer id: %v": "客户 ID：%v",
	"--template writes a template: give no FILE":                              "--template 用于生成模板：不要再给出 FILE",
	"give the FILE to import (or --template FILE.xlsx for an empty template)": "请给出要导入的文件 FILE（或用 --template FILE.xlsx 生成空白模板）",
	"--progress-every must be at least 1":                                     "--progress-every 至少为 1",
	"wait for the other import to finish, or pass another --journal":          "请等另一个导入结束，或换一个 --journal",
	"unknown entity %q: use one of %s":                                        "未知的实体 %q：可选 %s",

	// sandbox
	"--addr %q: %v":                                                         "--addr %q：%v",
	"--addr must not be empty":                                              "--addr 不能为空",
	"--fail-rate must be between 0 and 1, got %v":                           "--fail-rate 必须在 0 到 1 之间，收到的是 %v",
	"--latency must not be negative, got %v":                                "--latency 不能为负数，收到的是 %v",
	"--memory and --data cannot be used together":                           "--memory 和 --data 不能同时使用",
	"--rate-limit: %v":                                                      "--rate-limit：%v",
	"--yes is required to reset the sandbox when not running interactively": "非交互运行时，重置沙箱需要加 --yes",
	"the sandbox account's password must not be empty":                      "沙箱账号的密码不能为空",

	// Added by others
	"check the network and --base-url; --timeout bounds each call's wait, retries included, and --debug shows each attempt": "请检查网络和 --base-url；--timeout 限定每次调用的总等待时间（含重试），--debug 可显示每次尝试",
	"crmctl: %s; retrying (%d/%d) in %s…\n": "crmctl：%s；%[4]s 后重试（第 %[2]d/%[3]d 次）…\n",
	"the embedded sandbox has no stored token to forget: run `crmctl auth logout` without --sandbox to forget the profile's token": "内置沙箱没有保存的令牌可清除：去掉 --sandbox 运行 `crmctl auth logout` 才会清除配置档的令牌",
	"unknown setting %q: the settings are %s":                                                         "没有设置项 %q：可用的设置项有 %s",
	"`crmctl auth status` shows whether the profile has one and whether it works":                     "`crmctl auth status` 可查看配置档是否有令牌、令牌是否可用",
	"the token is never printed":                                                                      "令牌从不显示",
	"run `crmctl auth login`, or pipe the token to `crmctl auth login --with-token`":                  "请运行 `crmctl auth login`，或把令牌通过管道交给 `crmctl auth login --with-token`",
	"the token is not set with `config set`: a value on the command line would stay in shell history": "令牌不能用 `config set` 设置：写在命令行上的值会留在 shell 历史里",
	"the ikcrm open API has no call that lists public-pool customers\n`crmctl customers get ID` shows one customer; `crmctl pools list` lists the pools": "ikcrm 开放 API 没有列出公海客户的接口\n`crmctl customers get ID` 可查看单个客户；`crmctl pools list` 可列出公海",
	"the ikcrm open API has no call that deletes a customer: delete it in the ikcrm web app\n`crmctl customers get ID` shows one customer":               "ikcrm 开放 API 没有删除客户的接口：请在 ikcrm 网页版中删除\n`crmctl customers get ID` 可查看单个客户",
	"--force only goes with --template":                                      "--force 只能与 --template 一起使用",
	"--template %s is a folder: name the template file to write":             "--template %s 是一个文件夹：请给出要写入的模板文件名",
	"add --force to replace it with an empty template, or name another file": "加 --force 用空白模板覆盖它，或换一个文件名",
	"--template %s: the file exists; not overwritten":                        "--template %s：文件已存在，未覆盖",
	"a token is never a flag (it would show in shell history and ps): set CRMCTL_TOKEN, or run `crmctl auth login --with-token` and give it on standard input": "令牌从不作为选项传入（会留在 shell 历史和 ps 中）：请设置 CRMCTL_TOKEN，或运行 `crmctl auth login --with-token` 并从标准输入提供",
	"a password is never a flag: pipe it to `crmctl auth login --password-stdin`, set CRMCTL_PASSWORD, or run `crmctl auth login` at a terminal to be asked":   "密码从不作为选项传入：请通过管道交给 `crmctl auth login --password-stdin`，或设置 CRMCTL_PASSWORD，或在终端运行 `crmctl auth login` 按提示输入",
	"unknown command %q for %q; did you mean %s?\nrun `%s --help` for its commands":                                                                            "%[2]q 没有命令 %[1]q；你是想用 %[3]s 吗？\n运行 `%[4]s --help` 查看可用的命令",
	"profile %s: output %q: want table or json": "配置档 %s：输出格式 %q 无效：可用 table 或 json",
}
