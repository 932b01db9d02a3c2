package i18n

// zhCustomers is the catalogue's part for cmd/customers: create, get, find and import.
var zhCustomers = map[string]string{
	// customers create
	"\nTo create it, as one command:\n  %s\n": "\n用一条命令创建它：\n  %s\n",
	"printing it failed: %v":                  "但输出失败：%v",
	"the --jq filter failed on it: %v":        "但 --jq 过滤失败：%v",
	"customer %q was created, but %s\nrunning the command again would create another customer":      "客户 %q 已创建，%s\n再次运行这条命令会再创建一个客户",
	"customer %s (%q) was created, but %s\nrunning the command again would create another customer": "客户 %s（%q）已创建，%s\n再次运行这条命令会再创建一个客户",
	"`crmctl customers get %s` shows it (with -o json or a corrected --jq)":                         "`crmctl customers get %s` 可以查看它（加 -o json 或改正后的 --jq）",

	// customers create --if-exists
	"customer %q exists (%s): not created (--if-exists skip)\n": "客户 %q 已存在（%s）：未创建（--if-exists skip）\n",
	"exists":          "已存在",
	"exists %d times": "已存在 %d 个",
	"customer %q %s: not created (--if-exists %s)\n%s":                                 "客户 %q %s：未创建（--if-exists %s）\n%s",
	"customer %q %s, and --if-exists skip needs exactly one to print: not created\n%s": "客户 %q %s，而 --if-exists skip 只能在恰好一个时输出它：未创建\n%s",
	"`crmctl customers find --name %s` lists the customers of that name":               "`crmctl customers find --name %s` 可列出同名的客户",

	// customers create: a create without a usable answer
	"interrupted before the customer was sent: nothing was created":                                    "在发送客户之前已中断：没有创建任何客户",
	"interrupted after the request was sent: customer %q may have been created":                        "请求发出后被中断：客户 %q 可能已创建",
	"customer %q may have been created: the create got no usable answer: %v":                           "客户 %q 可能已创建：创建请求没有收到可用的响应：%v",
	"crmctl: no usable answer to the create: checking with matching_name whether customer %q exists\n": "crmctl：创建请求没有收到可用的响应：正在用 matching_name 核对客户 %q 是否已存在\n",
	"the check by name (matching_name) was interrupted":                                                "按名称核对（matching_name）被中断",
	"the check by name failed too: %v":                                                                 "按名称核对也失败了：%v",
	"customer %q was created, as %s, but the answer to the create was lost: %v\nmatching_name finds customer %s of that name and contact details, newer than any customer known before the create": "客户 %q 已创建，ID 为 %s，但创建请求的响应丢失了：%v\nmatching_name 找到了同名、联系方式相同的客户 %s，且比创建前已知的任何客户都新",
	"do not run the command again, or the customer will be created twice; `crmctl customers get %s` shows it":                                                                                      "不要再次运行这条命令，否则客户会被创建两次；`crmctl customers get %s` 可以查看它",
	"customer %q may have been created: the create got no usable answer: %v\noutcome unknown: matching_name finds customers that may be the create's, and nothing proves which: %s":                "客户 %q 可能已创建：创建请求没有收到可用的响应：%v\n结果未知：matching_name 找到了可能是这次创建的客户，但无法确定是哪一个：%s",
	"check them (`crmctl customers get %s`) before running the command again, or the customer may be created twice":                                                                                "再次运行这条命令之前请先核对它们（`crmctl customers get %s`），否则客户可能被创建两次",
	"matching_name finds no customer of that name and contact details that the create could have made, but the CRM may still be processing it":                                                     "matching_name 没有找到可能由这次创建产生的同名、联系方式相同的客户，但 CRM 可能仍在处理",
	"check in the CRM before running the command again, or the customer may be created twice":                                                                                                      "再次运行这条命令之前请先在 CRM 中核对，否则客户可能被创建两次",
	"check before running the command again, or the customer may be created twice: `crmctl customers find --name %s` lists the customers named %q":                                                 "再次运行这条命令之前请先核对，否则客户可能被创建两次：`crmctl customers find --name %s` 可列出名为 %q 的客户",

	// customers find and get
	"no customer is named %q with mobile %s and telephone %s":                        "没有名为 %q、手机为 %s 且电话为 %s 的客户",
	"no customer is named %q with mobile %s":                                         "没有名为 %q 且手机为 %s 的客户",
	"no customer is named %q with telephone %s":                                      "没有名为 %q 且电话为 %s 的客户",
	"no customer is named %q":                                                        "没有名为 %q 的客户",
	"customer %s: not found in the public pools, or not visible to this account: %w": "客户 %s：在公海中找不到，或当前账号无权查看：%v",

	// customers import
	"the rate %s is above the API's documented limit of %d requests per %s: expect throttled answers and a slower import": "限速 %s 超过了 API 文档规定的上限（每 %[3]s %[2]d 个请求）：会被限流，导入反而更慢",
	"the team's ledger: this machine's id: %w":                  "团队的导入台账：本机的 ID：%v",
	"%d row(s) with an unknown outcome (see --retry-unknown)\n": "%d 行结果未知（见 --retry-unknown）\n",
}
