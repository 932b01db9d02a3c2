package i18n

// zhAPI is the catalogue's part for internal/api (request, answer and decoding errors)
// and the small shared folders beside it: internal/output, internal/sqlitefile.
var zhAPI = map[string]string{
	// calls
	"login: an account and a password are required": "登录：需要账号和密码",
	"login: %w":                              "登录：%v",
	"the login answer carries no user_token": "登录的响应中没有 user_token",
	"invalid entity %q: expected lowercase letters and underscores, e.g. customer": "无效的对象类型 %q：只能是小写字母和下划线，例如 customer",
	"invalid customer id %q":  "无效的客户 ID %q",
	"reading customer %s: %w": "读取客户 %s：%v",

	// the client's options
	"the API token is %d bytes long, more than the %d a token may have":                                    "API 令牌长 %d 字节，超过了令牌允许的 %d 字节",
	"the API token contains characters a token cannot have (spaces, quotes, commas or control characters)": "API 令牌含有令牌中不可能出现的字符（空格、引号、逗号或控制字符）",
	"no API base URL given (e.g. https://lxcrm.weiwenjia.com)":                                             "没有指定 API 地址（例如 https://lxcrm.weiwenjia.com）",
	"invalid API base URL %s: %w": "无效的 API 地址 %s：%v",
	"invalid API base URL %s: it must be an absolute URL such as https://lxcrm.weiwenjia.com":                         "无效的 API 地址 %s：必须是完整的网址，例如 https://lxcrm.weiwenjia.com",
	"invalid API base URL %s: the scheme must be https (or http for a loopback host), not %q":                         "无效的 API 地址 %s：协议必须是 https（本机回环地址可用 http），而不是 %q",
	"invalid API base URL: it must not contain a user name or password":                                               "无效的 API 地址：不能包含用户名或密码",
	"invalid API base URL %s: it must not contain a query (?...)":                                                     "无效的 API 地址 %s：不能包含查询参数（?...）",
	"invalid API base URL %s: it must not contain a fragment (#...)":                                                  "无效的 API 地址 %s：不能包含片段（#...）",
	"invalid API base URL %s: no host name":                                                                           "无效的 API 地址 %s：没有主机名",
	"invalid API base URL %s: bad port %q":                                                                            "无效的 API 地址 %s：端口 %q 不正确",
	"invalid API base URL %s: https is required for %s (plain http is allowed only for 127.0.0.1, ::1 and localhost)": "无效的 API 地址 %s：%s 必须使用 https（只有 127.0.0.1、::1 和 localhost 允许使用 http）",

	// decoding
	"expected an object, got %s":         "应为对象，实际是 %s",
	"invalid JSON":                       "JSON 格式无效",
	"invalid JSON: %w":                   "JSON 格式无效：%v",
	"expected an object with %q, got %s": "应为含 %q 的对象，实际是 %s",
	"%q is %s, not a list":               "%q 是 %s，不是列表",
	"%q is not valid JSON":               "%q 不是有效的 JSON",
	"customer: %w":                       "客户：%v",
	"customers: %w":                      "客户列表：%v",
	"customer %d: %w":                    "第 %d 个客户：%v",
	"pools: %w":                          "公海：%v",
	"field maps: %w":                     "选项字段：%v",
	"user: %w":                           "用户：%v",
	"custom fields: %w":                  "自定义字段：%v",
	"departments: %w":                    "部门：%v",

	// the envelope
	"the answer is empty":                   "响应为空",
	"the answer is an HTML page, not JSON":  "响应是 HTML 网页，不是 JSON",
	"the answer is not JSON":                "响应不是 JSON",
	"the answer is not valid JSON (%s)":     "响应不是有效的 JSON（%s）",
	"truncated":                             "内容不完整",
	"syntax error at byte %d":               "第 %d 字节处有语法错误",
	"the answer has no \"code\"":            "响应中没有 \"code\"",
	"the answer's \"code\" is not a number": "响应中的 \"code\" 不是数字",

	// errors
	" (1 attempt)":       "（尝试 1 次）",
	" (%d attempts)":     "（尝试 %d 次）",
	"server error %d %s": "服务器错误 %d %s",
	"HTTP status %d %s":  "HTTP 状态 %d %s",

	// redirects and answers
	"stopped after %d redirects":                      "重定向 %d 次后停止",
	"the answer redirects to an invalid location: %v": "响应重定向到无效的地址：%v",
	"the server redirected (HTTP %d) to another host, %s: not followed, since crmctl never sends a request or token to a host other than --base-url (%s); if the API has moved, point --base-url at the new host": "服务器把请求重定向（HTTP %d）到另一个主机 %s：未跟随，因为 crmctl 从不向 --base-url（%s）以外的主机发送请求或令牌；如果 API 已迁移，请把 --base-url 指向新主机",
	"the server redirected (HTTP %d) to a URL with credentials: not followed":                                                                                 "服务器把请求重定向（HTTP %d）到带登录信息的网址：未跟随",
	"the server redirected (HTTP %d) the %s to %s: not followed, since crmctl follows redirects only for GET requests and never sends a form again elsewhere": "服务器把 %[2]s 请求重定向（HTTP %[1]d）到 %[3]s：未跟随，因为 crmctl 只对 GET 请求跟随重定向，从不把表单再发到别处",
	"the answer is larger than %d MiB": "响应超过 %d MiB",

	// crmctl api
	"invalid HTTP method %q":                                  "无效的 HTTP 方法 %q",
	"invalid API path %q: it must start with /api/":           "无效的 API 路径 %q：必须以 /api/ 开头",
	"no API path given (e.g. user/list or /api/v2/user/list)": "没有指定 API 路径（例如 user/list 或 /api/v2/user/list）",
	"%q is not a path under the base URL: give a path such as user/list or /api/v2/user/list; the request goes to the profile's host (--base-url), the only one the token is for": "%q 不是 API 地址下的路径：请给出 user/list 或 /api/v2/user/list 这样的路径；请求总是发往配置档的主机（--base-url），令牌只对它有效",
	"%q is not a path under the base URL: give a path such as user/list or /api/v2/user/list":                                                                                     "%q 不是 API 地址下的路径：请给出 user/list 或 /api/v2/user/list 这样的路径",
	"invalid API path %q: a fragment (#...) is never sent":                                                                                                                        "无效的 API 路径 %q：片段（#...）不会被发送",
	"invalid API path %q: API paths start with /api/v2/ (or give one relative to it, e.g. user/list)":                                                                             "无效的 API 路径 %q：API 路径以 /api/v2/ 开头（也可以给出相对路径，例如 user/list）",
	"invalid API path %q: no . or .. segments":                                                                                                                                    "无效的 API 路径 %q：不能含 . 或 .. 段",
	"invalid API path %q: bad query string: %w":                                                                                                                                   "无效的 API 路径 %q：查询参数有误：%v",
	"the Authorization header is crmctl's own (the stored token): it cannot be replaced":                                                                                          "Authorization 头由 crmctl 自己设置（使用保存的令牌），不能替换",
	"the %s header is set by crmctl and cannot be given":                                                                                                                          "%s 头由 crmctl 设置，不能指定",
	"invalid header name %q":                               "无效的请求头名称 %q",
	"invalid value of header %s: it contains a line break": "请求头 %s 的值无效：含有换行",

	// internal/output
	"unknown output format %q: use table or json": "未知的输出格式 %q：请用 table 或 json",
	"cannot print the answer as JSON: %w":         "无法以 JSON 格式输出响应：%v",
	"cannot filter the answer with --jq: %w":      "无法用 --jq 筛选响应：%v",

	// internal/sqlitefile
	"%s %s: migrating format %d to %d: %w": "%s %s：把格式从 %d 升级到 %d 时出错：%v",
	"%s %s has format version %d, newer than this crmctl reads (up to %d): upgrade crmctl, or move the file away to start afresh": "%s %s 的格式版本是 %d，比这个 crmctl 能读取的（最高 %d）更新：请升级 crmctl，或把文件移走后重新开始",
}
