package i18n

// zhImporter is the catalogue's part for internal/importer: reading, checking and sending a file.
var zhImporter = map[string]string{
	// Reading the file
	"the line is not valid UTF-16: fix it, or save the file as UTF-8": "该行不是有效的 UTF-16：请修正，或将文件另存为 UTF-8",
	"%s with BOM":           "%s（带 BOM）",
	"CSV, %s, delimiter %s": "CSV，%s，分隔符 %s",
	"XLSX, sheet %q":        "XLSX，工作表 %q",
	"tab":                   "制表符",
	"line %d is longer than %d bytes (1 MiB), the most an import reads":                        "第 %d 行超过 %d 字节（1 MiB），超出了导入能读取的上限",
	"the record starting on line %d is longer than %d bytes (1 MiB), the most an import reads": "从第 %d 行开始的记录超过 %d 字节（1 MiB），超出了导入能读取的上限",
	"a cell of row %d is longer than %d bytes (1 MiB), the most an import reads":               "第 %d 行有一个单元格超过 %d 字节（1 MiB），超出了导入能读取的上限",
	"…(%d bytes)": "…（共 %d 字节）",
	"unknown column(s) %s: map them with --map COLUMN=FIELD (a flag name such as tel, an API key such as address_attributes[tel], a label such as 电话, or a custom key such as text_asset_9320d8d7), or pass --ignore-unknown to skip them": "无法识别的列 %s：请用 --map 列名=字段 指定对应关系（字段可以是选项名如 tel、API 字段键如 address_attributes[tel]、中文字段名如 电话，或自定义字段键如 text_asset_9320d8d7），或加 --ignore-unknown 跳过这些列",
	"column %q: %s (or --map %q=KEY)":                      "列 %q：%s（或用 --map %q=字段键 指定）",
	"--pool is required: the file has no 公海 (pool) column": "缺少 --pool：文件中没有“公海”列",
	"journal %s: an older format, opened read-only":        "导入日志 %s：旧格式，只能以只读方式打开",

	// Rows settled without a request (the results file keeps these in English)
	"duplicate of row %d":                                "与第 %d 行重复",
	"created by an earlier run":                          "之前的运行已创建",
	"%s (an earlier run; --retry-failed tries it again)": "%s（之前的运行；加 --retry-failed 可重试）",
	"%s row %d":      "%s 第 %d 行",
	"an earlier run": "之前的一次运行",
	"created by %s":  "已由 %s 创建",
	"another import (%s) is sending this customer now: the next run checks again":         "另一个导入（%s）正在发送这个客户：下次运行时会再核对",
	"row %d: another import (%s) is sending this customer now: waiting for its outcome\n": "第 %d 行：另一个导入（%s）正在发送这个客户：正在等待它的结果\n",
	"sent by %s; the customer was found and proven its own":                               "已由 %s 发送；已找到该客户，并确认是这一行的",
	"exists in the CRM (--if-exists skip)":                                                "CRM 中已存在（--if-exists skip）",
	"exists in the CRM as customer %s (--if-exists fail)":                                 "CRM 中已存在，客户 ID 为 %s（--if-exists fail）",
	"exists %d times in the CRM, as customers %s (--if-exists %s)":                        "CRM 中已存在 %d 个，客户 ID 为 %s（--if-exists %s）",
	"row %d (%s): not sent: %s\n":                                                         "第 %d 行（%s）：未发送：%s\n",
	"row %d: checking whether customer %q exists (--if-exists %s): %w":                    "第 %d 行：检查客户 %q 是否已存在（--if-exists %s）时出错：%v",
	"row %d: listing the customers named %q before sending: %w":                           "第 %d 行：发送前查询名为 %q 的客户时出错：%v",

	// Unanswered requests
	"an earlier request got no answer; matching_name found the customer, proven the row's":                                                         "之前的请求没有收到响应；matching_name 找到了该客户，并确认是这一行的",
	"no answer; matching_name found the customer, proven the row's":                                                                                "没有收到响应；matching_name 找到了该客户，并确认是这一行的",
	"row %d: outcome unknown (candidates %s): sent again, as --retry-unknown asks\n":                                                               "第 %d 行：结果未知（候选客户 %s）：按 --retry-unknown 的要求重新发送\n",
	"row %d: an earlier request got no answer and created no customer: sending it again\n":                                                         "第 %d 行：之前的请求没有收到响应，也没有创建客户：重新发送\n",
	"an earlier request got no usable answer":                                                                                                      "之前的请求没有收到可用的响应",
	"sent by %s without a usable answer":                                                                                                           "由 %s 发送，没有收到可用的响应",
	"no usable answer (%v)":                                                                                                                        "没有收到可用的响应（%v）",
	"%s; no customer of its name and details is found yet: the next run checks again, and sends it again only if it still finds none":              "%s；暂未找到名称和联系方式都相符的客户：下次运行时会再核对，仍找不到才会重新发送",
	"%s; these customers may be its own, and nothing proves which: check them, then run again with --retry-unknown to send it again (or leave it)": "%s；这些客户可能是这一行的，但无法确认是哪一个：请逐一核对，确认都不是后加 --retry-unknown 再运行一次以重新发送（或不处理）",
	"candidates %s: %s":             "候选客户 %s：%s",
	"row %d: outcome unknown: %s\n": "第 %d 行：结果未知：%s\n",
}
