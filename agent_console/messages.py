"""Server error messages in the UI's language.

Routes and the ACD word their refusals in English, one sentence a user can act on. When the
request asks for Chinese (``Accept-Language: zh…``, which the console's ``api()`` sends from
the language switch), :func:`localize` rewrites the ``detail`` of an error response with the
catalogue below: each entry is a regular expression over the English sentence, with named
groups carried into the Chinese template. A sentence with no entry is sent as it is (English
is better than nothing). The command line words its messages with the same catalogue
(``hotline.cli_lang``); ``tests/console/test_messages.py`` checks that every message the
agent and supervisor pages can meet has an entry.
"""

from __future__ import annotations

import re
from typing import Any

_CATALOGUE: list[tuple[str, str]] = [
    (r"(?P<d>'[^']*'|\"[^\"]*\") is not a day; write it as YYYY-MM-DD\.", "{d} 不是日期，请写成 YYYY-MM-DD。"),
    (r"The end day \((?P<b>[^)]*)\) is before the first day \((?P<a>[^)]*)\)\.",
     "结束日期（{b}）早于开始日期（{a}）。"),
    (r"At most (?P<n>\d+) days at a time; ask for a shorter range\.", "一次最多 {n} 天，请缩短日期范围。"),
    (r"The interval must be 15, 30 or 60 minutes, not (?P<n>\S+)\.", "时段长度必须是 15、30 或 60 分钟，而不是 {n}。"),
    (r"A rate threshold is a share between 0 and 1, e.g\. 0\.8 for 80 %\.", "比率阈值是 0 到 1 之间的小数，例如 0.8 表示 80%。"),
    (r"There is no alarm rule (?P<n>\d+)\.", "没有编号为 {n} 的预警规则。"),
    (r"Not now: (?P<why>.*)\.", "现在不能回拨：{why}。"),
    (r"Unknown figure (?P<k>'[^']*'); use one of (?P<l>.*)\.", "未知指标 {k}，可选：{l}。"),
    (r"(?P<p>'[^']*'): write skill:level,skill:level=agents, e\.g\. (?P<e>.*)", "{p}：请写成 技能:等级,技能:等级=人数，例如 {e}"),
    (r"(?P<p>'[^']*'): write skill,skill=share, e\.g\. (?P<e>.*)", "{p}：请写成 技能,技能=占比，例如 {e}"),
    (r"(?P<p>'[^']*'): a skill is name:level with a level from 1 to 10", "{p}：技能写作 名称:等级，等级为 1 到 10"),
    (r"(?P<p>'[^']*'): the group has no skill", "{p}：该组没有技能"),
    (r"give at least one agent group, e\.g\. (?P<e>.*)", "至少需要一组坐席，例如 {e}"),
    (r"give at least one call type, e\.g\. (?P<e>.*)", "至少需要一种呼叫类型，例如 {e}"),
    (r"calls per hour, AHT and patience must be positive", "每小时呼叫量、平均处理时长和耐心时长必须为正数"),
    (r"There is no sheet (?P<s>'[^']*'|\"[^\"]*\"); pick one of (?P<l>.*)\.", "没有工作表 {s}，可选：{l}。"),
    # sign-in and sessions
    (r"Wrong username or password; check both and try again\.", "用户名或密码错误，请检查后重试。"),
    (r"Too many failed logins; wait (?P<s>\d+) s and try again\.", "登录失败次数过多，请等待 {s} 秒后重试。"),
    (r"You are not logged in or your session expired; log in again\.", "您尚未登录或会话已过期，请重新登录。"),
    (r"Your role \((?P<role>[^)]+)\) may not do this; it needs one of: (?P<roles>.+)\.",
     "您的角色（{role}）无权执行此操作，需要以下角色之一：{roles}。"),
    (r"Requests authenticated by cookie must send the (?P<h>\S+) header\.", "使用 Cookie 认证的请求必须带 {h} 请求头。"),
    (r"Your user is not linked to an ACD agent; ask an admin to set your agent id\.",
     "您的账号未关联坐席工号，请联系管理员设置。"),
    # agent: phone, states, wrap-up
    (r"No extension given and none on your profile; enter the phone to ring\.",
     "未提供分机且您的资料中没有分机，请输入要振铃的话机。"),
    (r"Your profile has no extension to ring; ask an admin to set one\.", "您的资料中没有可振铃的分机，请联系管理员设置。"),
    (r"The browser phone server is not configured; ask an admin to set (?P<s>\S+)\.",
     "网页话机服务器未配置，请联系管理员设置 {s}。"),
    (r"Agent (?P<a>\S+) is not configured in the ACD: ask an admin to add the agent\.",
     "坐席 {a} 未在 ACD 中配置，请联系管理员添加。"),
    (r"Agent (?P<a>\S+) is not in wrap-up \(now (?P<st>[^)]+)\)\.", "坐席 {a} 不在话后处理状态（当前：{st}）。"),
    (r"Unknown disposition (?:code )?(?P<d>'[^']*'|\"[^\"]*\")(?:: pick one from the list)?\.",
     "未知的处理结果 {d}，请从列表中选择。"),
    (r"Unknown reason code (?P<r>'[^']*'|\"[^\"]*\")\.", "未知的原因代码 {r}。"),
    # agent: call control
    (r"Agent (?P<a>\S+) has no call to (?P<what>.+)\.", "坐席 {a} 当前没有可操作的通话。"),
    (r"Agent (?P<a>\S+)'s caller is already on hold\.", "坐席 {a} 的来电已在保持中。"),
    (r"Agent (?P<a>\S+)'s caller is not on hold\.", "坐席 {a} 的来电不在保持中。"),
    (r"Agent (?P<a>\S+)'s call is in a conference or a transfer: it cannot be put on hold now\.",
     "坐席 {a} 的通话正在三方或转接中，现在不能保持。"),
    (r"Agent (?P<a>\S+)'s caller is on hold: take the caller off hold before adding a third party\.",
     "坐席 {a} 的来电在保持中：请先恢复通话再加入第三方。"),
    (r"Agent (?P<a>\S+) is transferring the call: finish or cancel the transfer first\.",
     "坐席 {a} 正在转接：请先完成或取消转接。"),
    (r"Agent (?P<a>\S+) has no attended transfer to complete\.", "坐席 {a} 没有可完成的咨询转接。"),
    (r"Agent (?P<a>\S+) has no attended transfer to cancel\.", "坐席 {a} 没有可取消的咨询转接。"),
    (r"Unknown agent (?P<t>'[^']*'|\"[^\"]*\"): pick an agent from the list\.", "未知坐席 {t}，请从列表中选择。"),
    (r"Unknown queue (?P<q>'[^']*'|\"[^\"]*\"): pick a queue from the list\.", "未知队列 {q}，请从列表中选择。"),
    (r"(?P<n>'[^']*'|\"[^\"]*\") is not a phone number: use digits only\.", "{n} 不是电话号码：只能使用数字。"),
    # a number that is not one: outbound.compliance.normalise (contact and do-not-call rows),
    # then crm.phones.PhoneError; the why of a number that phonenumbers cannot read is
    # crm.phones.parse_error_reason's. These come before the catch-all "is not a phone number: …".
    (r"(?P<v>'[^']*'|\"[^\"]*\") is not a phone number: (?P<why_m>.+); write it as \+8613800138000",
     "{v} 不是电话号码（{why_m}），请写成 +8613800138000 的形式。"),
    (r"(?P<n>'[^']*'|\"[^\"]*\") is not a phone number: (?P<why_m>.+); check the digits and the country code",
     "{n} 不是电话号码：{why_m}，请检查号码和国家/地区代码。"),
    (r"(?P<n>'[^']*'|\"[^\"]*\") is not a phone number: (?P<why_m>.+)", "{n} 不是电话号码：{why_m}。"),
    (r"its country code is unknown", "国家/地区代码无法识别"),
    (r"no number in it \(letters, or fewer than two digits\)", "只有字母或不足两位数字"),
    (r"too few digits after the international prefix", "国际冠码之后的位数太少"),
    (r"too few digits", "位数太少"),
    (r"too many digits", "位数太多"),
    (r"longer than (?P<n>\d+) characters; send only the number", "超过 {n} 个字符，请只填写号码"),
    (r"it is empty; give the number with area code", "号码为空，请填写带区号的号码"),
    (r"the caller id is withheld", "来电号码被隐藏"),
    (r"it has no digits", "没有数字"),
    (r"no such number in its numbering plan; check the digits and the area code",
     "号码规划中没有这个号码，请检查号码和区号"),
    (r"The call could not be hung up \((?P<e>.*)\)\.", "无法挂断通话（{e}）。"),
    (r"The caller could not be put on hold \((?P<e>.*)\)\.", "无法保持来电（{e}）。"),
    (r"The caller could not be taken off hold \((?P<e>.*)\)\.", "无法恢复来电（{e}）。"),
    (r"The transfer to queue (?P<q>\S+) failed \((?P<e>.*)\)\.", "转接到队列 {q} 失败（{e}）。"),
    (r"The transfer to (?P<t>\S+) failed \((?P<e>.*)\); the caller is still with the agent\.",
     "转接到 {t} 失败（{e}），来电仍在坐席处。"),
    (r"The transfer could not be completed \((?P<e>.*)\)\.", "无法完成转接（{e}）。"),
    (r"The transfer could not be cancelled \((?P<e>.*)\)\.", "无法取消转接（{e}）。"),
    (r"The conference could not be set up \((?P<e>.*)\); the caller is still with the agent\.",
     "无法建立三方通话（{e}），来电仍在坐席处。"),
    # supervisor
    (r"There is no agent (?P<a>\S+); check the agent id\.", "没有坐席 {a}，请检查工号。"),
    (r"Agent (?P<a>\S+) is not in your teams; you can only act on agents you lead\.",
     "坐席 {a} 不在您的班组内，您只能操作您所带班组的坐席。"),
    (r"The supervisor phone could not be rung \((?P<e>.*)\)\.", "无法振铃班长话机（{e}）。"),
    # admin
    (r"There is no user (?P<u>\S+)\.", "没有用户 {u}。"),
    (r"There is no team (?P<t>\S+)\.", "没有班组 {t}。"),
    (r"A team named (?P<n>.+) already exists\.", "名为 {n} 的班组已存在。"),
    (r"A team cannot sit under itself or one of its own sub-teams\.", "班组不能隶属于自身或其下级班组。"),
    (r"Agent id (?P<a>.+) already belongs to another user\.", "工号 {a} 已属于其他用户。"),
    # console-admin: ACD configuration (acd.admin) and the voice menus (ivr.http, ivr.loader)
    (r"No queue named (?P<k>.+)\.", "没有名为 {k} 的队列。"),
    (r"No agent named (?P<k>.+)\.", "没有名为 {k} 的坐席。"),
    (r"No skill named (?P<k>.+)\.", "没有名为 {k} 的技能。"),
    (r"No reason code named (?P<k>.+)\.", "没有名为 {k} 的未就绪原因。"),
    (r"No disposition named (?P<k>.+)\.", "没有名为 {k} 的处理结果。"),
    (r"queue (?P<q>\S+): min_proficiency must be 1\.\.10, not (?P<n>\S+)", "队列 {q}：最低熟练度必须为 1 到 10，而不是 {n}"),
    (r"queue (?P<q>\S+): a relaxation cannot overflow to the queue itself", "队列 {q}：放宽规则不能溢出到队列自身"),
    (r"an overflow exit needs a target queue, and only an overflow exit has one",
     "溢出出口需要目标队列，且只有溢出出口可以指定队列"),
    (r"(?:Value error, )?proficiency of (?P<s>\S+) must be 1\.\.10, not (?P<n>\S+)",
     "技能 {s} 的熟练度必须为 1 到 10，而不是 {n}"),
    (r"(?:Value error, )?agent (?P<a>\S+): proficiency of (?P<s>\S+) must be 1\.\.10, not (?P<n>\S+)",
     "坐席 {a}：技能 {s} 的熟练度必须为 1 到 10，而不是 {n}"),
    (r"Input should be greater than or equal to (?P<n>\S+)", "应大于或等于 {n}"),
    (r"Input should be greater than (?P<n>\S+)", "应大于 {n}"),
    (r"Input should be less than or equal to (?P<n>\S+)", "应小于或等于 {n}"),
    (r"String should match pattern (?P<p>.+)", "格式不符合 {p}"),
    (r"(?P<w>\S+): this field is required", "{w}：必填字段"),
    (r"(?P<w>\S+): unknown field \(check the spelling\)", "{w}：未知字段（请检查拼写）"),
    (r"(?P<w>\S+): unknown node type; use one of (?P<l>.+)", "{w}：未知的节点类型，可选：{l}"),
    (r"node (?P<n>'[^']*'): (?P<f>\S+) names an unknown node (?P<t>'[^']*')", "节点 {n}：{f} 指向不存在的节点 {t}"),
    (r"entry (?P<r>'[^']*') names an unknown node (?P<t>'[^']*')", "入口 {r} 指向不存在的节点 {t}"),
    (r"node (?P<n>'[^']*'): no hours named (?P<h>'[^']*')", "节点 {n}：没有名为 {h} 的营业时间"),
    (r"prompt (?P<p>'[^']*') has no (?P<l>\S+) text; add it under prompts: or record (?P<f>\S+) and add its text",
     "提示音 {p} 缺少 {l} 文本：请在 prompts: 下添加，或录制 {f} 并添加其文本"),
    (r"these nodes loop without waiting for the caller: (?P<c>.+); put a menu in the loop",
     "这些节点在不等待来电者按键的情况下循环：{c}；请在循环中加入菜单"),
    (r"node (?P<n>'[^']*') cannot be reached from any entry", "节点 {n} 无法从任何入口到达"),
    (r"There is no calendar (?P<c>'[^']*') in the menu file\.", "菜单文件中没有日历 {c}。"),
    (r"Calendar (?P<c>'[^']*') has no holiday yet; add the first one in the menu editor\.",
     "日历 {c} 还没有节假日，请在菜单编辑器中添加第一个。"),
    (r"Calendar (?P<c>'[^']*') has no holiday number (?P<n>\d+)\.", "日历 {c} 没有第 {n} 个节假日。"),
    (r"This calendar's holidays are not one line each; edit them in the menu editor\.",
     "该日历的节假日不是每行一条，请在菜单编辑器中修改。"),
    (r"This holiday is not on a line of its own \(or is the last one\); edit it in the menu editor\.",
     "该节假日不是单独一行（或是最后一条），请在菜单编辑器中修改。"),
    (r"The last day of a holiday is before its first day\.", "节假日的结束日期早于开始日期。"),
    # the weekly business-hours form (ivr.hours.check_weekly, ivr.menu_edits.set_weekly)
    (r"(?P<r>'[^']*') is not a time range; write it as HH:MM-HH:MM, e\.g\. 09:00-18:00",
     "{r} 不是时间段，请写成 HH:MM-HH:MM，例如 09:00-18:00"),
    (r"(?P<r>'[^']*') has an impossible time of day", "{r} 含有不存在的时刻（小时 0–24，分钟 0–59）"),
    (r"(?P<r>'[^']*') ends before it starts; split ranges that cross midnight",
     "{r} 的结束时间不晚于开始时间；跨午夜的时段请拆成两段"),
    (r"(?P<b>'[^']*') overlaps (?P<a>'[^']*') on the same day; join them or move one\.",
     "{b} 与同一天的 {a} 重叠，请合并或调整其中一段。"),
    (r"Unknown day (?P<d>'[^']*'); days are mon, tue, wed, thu, fri, sat, sun\.",
     "未知的星期 {d}，可选：mon、tue、wed、thu、fri、sat、sun。"),
    (r"At most (?P<n>\d+) opening ranges a day\.", "每天最多 {n} 个营业时段。"),
    (r"There are no business hours named (?P<n>'[^']*')\.", "没有名为 {n} 的营业时间。"),
    (r"There are no weekly hours named (?P<n>'[^']*') in the menu file\.", "菜单文件中没有名为 {n} 的每周营业时间。"),
    (r"These weekly hours span several lines in flow style; edit them in the menu editor\.",
     "这些每周营业时间以多行流式写法书写，请在菜单编辑器中修改。"),
    (r"The weekly hours could not be written in place; edit them in the menu editor\.",
     "无法在原位置写入每周营业时间，请在菜单编辑器中修改。"),
    (r"The menu file is not valid YAML \((?P<e>.*)\); fix it in the menu editor first\.",
     "菜单文件不是有效的 YAML（{e}），请先在菜单编辑器中修正。"),
    # generic
    (r"Something went wrong on our side; quote request id (?P<rid>\S+) to an admin\.",
     "系统内部错误，请将请求编号 {rid} 告知管理员。"),
    (r"Not Found", "未找到"),
    # pydantic's validation messages (detail lists of 422 responses)
    (r"Field required", "必填项"),
    (r"Extra inputs are not permitted", "不允许的额外字段"),
    (r"Input should be a valid string", "应为文本"),
    (r"Input should be a valid integer(?:, .*)?", "应为整数"),
    (r"Input should be a valid number(?:, .*)?", "应为数字"),
    (r"Input should be a valid boolean(?:, .*)?", "应为是/否"),
    (r"String should have at least (?P<n>\d+) characters?", "至少 {n} 个字符"),
    (r"String should have at most (?P<n>\d+) characters?", "最多 {n} 个字符"),
    (r"Input should be (?P<opts>'.*')", "应为以下之一：{opts}"),
    (r"JSON decode error", "JSON 格式错误"),
    # recordings and QA
    (r"There is no recording (?P<n>\d+)\.", "没有编号为 {n} 的录音。"),
    (r"Recording (?P<n>\d+) is of an agent outside your teams; you may only hear your teams' calls\.",
     "录音 {n} 属于您班组以外的坐席，您只能收听本班组的通话。"),
    (r"Recording (?P<n>\d+) has no separate (?P<leg>\S+) leg; play the mix \(the stereo file\)\.",
     "录音 {n} 没有单独的 {leg} 声道文件，请播放混音（立体声文件）。"),
    (r"Your role \((?P<role>[^)]+)\) may play recordings but not download them; ask QA or a supervisor\.",
     "您的角色（{role}）可以播放录音但不能下载，请联系质检或主管。"),
    (r"Recording (?P<n>\d+) was deleted by retention; only its index row is left\.",
     "录音 {n} 已按保存期限删除，仅保留索引记录。"),
    (r"The file of recording (?P<n>\d+) is not in the recordings store; ask an admin to run hotline recordings index\.",
     "录音 {n} 的文件不在录音存储中，请联系管理员运行 hotline recordings index。"),
    (r"That byte range is outside recording (?P<n>\d+); ask for bytes within (?P<r>\S+)\.",
     "该字节范围超出录音 {n}，请请求 {r} 以内的字节。"),
    (r"There is no evaluation (?P<n>\d+)\.", "没有编号为 {n} 的质检评估。"),
    (r"Evaluation (?P<n>\d+) is of an agent outside your teams\.", "评估 {n} 属于您班组以外的坐席。"),
    (r"Agent (?P<a>\S+) is outside your teams\.", "坐席 {a} 不在您的班组内。"),
    (r"You can see only your own QA trend\.", "您只能查看自己的质检趋势。"),
    (r"You cannot evaluate your own call; ask QA or your team lead\.", "不能评估自己的通话，请联系质检或组长。"),
    (r"Only (?P<u>\S+), who evaluates this call, may change evaluation (?P<n>\d+)\.",
     "只有负责评估此通话的 {u} 可以修改评估 {n}。"),
    (r"Only the agent evaluated may acknowledge or dispute evaluation (?P<n>\d+)\.",
     "只有被评估的坐席可以确认或申诉评估 {n}。"),
    (r"An evaluation that is (?P<s>\S+) cannot be (?P<v>\S+)\.", "状态为 {s} 的评估不能执行此操作（{v}）。"),
    (r"Say why you dispute the evaluation; a dispute needs a reason\.", "请说明申诉理由，申诉必须填写原因。"),
    (r"There is no form (?P<k>'[^']*')\.", "没有评分表 {k}。"),
    (r"No version of form (?P<k>'[^']*') was in force at (?P<t>\S+); the first takes effect at (?P<f>\S+)\.",
     "通话时（{t}）评分表 {k} 尚无生效版本，首个版本于 {f} 生效。"),
    (r"Answer every item \(use na where it does not apply\); missing (?P<m>.*)\.",
     "请回答所有项目（不适用请选 n.a.），缺少：{m}。"),
    (r"Item (?P<i>\S+): answer yes, no or na, not (?P<v>.*)\.", "项目 {i}：请回答 是、否 或 不适用，而不是 {v}。"),
    (r"Item (?P<i>\S+): answer 0\.\.(?P<m>\d+) or na, not (?P<v>.*)\.", "项目 {i}：请回答 0 到 {m} 或 不适用，而不是 {v}。"),
    (r"Form (?P<k>\S+) already has a version (?P<v>\d+); publish a new version number instead of editing one in use\.",
     "评分表 {k} 已有版本 {v}；请发布新版本号，不要修改使用中的版本。"),
    (r"A form key has at most (?P<n>\d+) characters and a version is 1\.\.1000000\.",
     "评分表标识最多 {n} 个字符，版本号为 1 到 1000000。"),
    (r"Item ids have at most (?P<n>\d+) characters and scales go up to (?P<m>\d+)\.",
     "项目标识最多 {n} 个字符，评分刻度最高为 {m}。"),
    # supervisor drill-down
    (r"There is no queue (?P<q>\S+); check the queue name\.", "没有队列 {q}，请检查队列名称。"),
    (r"Queue (?P<q>\S+) is not served by your teams; you can only open your teams' queues\.",
     "队列 {q} 不由您的班组服务，您只能查看本班组的队列。"),
    # outbound
    (r"Agent (?P<agent>\S+) has no outbound record on screen\.", "坐席 {agent} 屏幕上没有外呼记录。"),
    (r"This backend runs no outbound dialer\.", "此后台未运行外呼拨号器。"),
    # outbound campaign calls (agent_console.routes.outbound)
    (r"Your current call is not a campaign call\.", "当前通话不是外呼任务通话。"),
    (r"The end day is before the first day; swap them\.", "结束日期早于开始日期，请对调。"),
    (r"Unknown disposition (?P<d>'[^']*'): pick one of the campaign's \((?P<l>[^)]*)\)\.",
     "未知处理结果 {d}，请从本任务的选项中选择（{l}）。"),
    (r"The callback time (?P<t>.+) \((?P<z>[^)]+)\) is in the past; pick a later time\.",
     "回拨时间 {t}（{z}）已经过去，请选择更晚的时间。"),
    # campaign refusals (outbound.campaign / outbound.service CampaignError via routes.outbound);
    # groups named *_w are campaign states / actions, worded by _WORDS
    (r"no campaign named (?P<n>'[^']*'|\"[^\"]*\"); `hotline outbound list` shows them",
     "没有名为 {n} 的外呼任务；`hotline outbound list` 可列出全部任务。"),
    (r"a (?P<state_w>\w+) campaign cannot (?P<action_w>\w+); allowed: (?P<allowed_w>.+)",
     "{state_w}的外呼任务不能{action_w}；可执行：{allowed_w}。"),
    (r"agentless campaigns need the AMI and the IVR's answer store; this backend was started without them",
     "自动外呼（无坐席）任务需要 AMI 和 IVR 应答存储；本后台启动时未配置。"),
    (r"The callback time is outside the campaign's calling hours \((?P<h>[^,]+), (?P<z>[^)]+)\); "
     r"pick a time inside them\.", "回拨时间不在本任务的外呼时段内（{h}，{z}），请在时段内选择。"),
    # contact and do-not-call list files (outbound.lists via routes.outbound_lists): the
    # file as a whole, then the reason of each refused row
    (r"The file is larger than (?P<n>\d+) (?P<unit>MB|KB); split it\.", "文件超过 {n} {unit}，请拆分后上传。"),
    (r"the file is larger than (?P<n>\d+) MB; split it", "文件超过 {n} MB，请拆分后上传。"),
    (r"Send the CSV in a form field named file\.", "请在名为 file 的表单字段中上传 CSV 文件。"),
    (r"the file is empty; the first line must name the columns", "文件为空：第一行必须是列名。"),
    (r"the header names the (?P<c>'[^']*') column (?P<n>\d+) times \((?P<l>.+)\); keep one of them",
     "表头中有 {n} 列都表示 {c} 列（{l}），请只保留其中一列。"),
    (r"no 'number' \(电话\) column in the header; add one to the first line",
     "表头中没有 number（电话）列，请在第一行加上该列。"),
    (r"bytes that are not valid (?P<e>\S+); save the file as UTF-8", "含有不符合 {e} 编码的字节，请将文件另存为 UTF-8。"),
    (r"(?P<n>\d+) values but the header has (?P<m>\d+) columns", "本行有 {n} 个值，但表头有 {m} 列。"),
    (r"not readable as CSV \((?P<e>.*)\)", "无法按 CSV 读取本行（{e}）。"),
    (r"the first line is not CSV \((?P<e>.*)\); save the file as CSV", "第一行不是 CSV 格式（{e}），请将文件另存为 CSV。"),
    (r"(?P<v>'[^']*'|\"[^\"]*\") has the wrong number of digits for its country", "{v} 的位数不符合其国家/地区的号码规则。"),
    (r"(?P<n>\+\d+) is already on row (?P<r>\d+) of this file", "{n} 已在本文件第 {r} 行出现。"),
    (r"(?P<n>\+\d+) is already in this campaign", "{n} 已在本外呼任务的名单中。"),
    (r"(?P<n>\+\d+) is on the global do-not-call list", "{n} 在全局免打扰名单中。"),
    (r"(?P<n>\+\d+) is on campaign (?P<c>\S+)'s do-not-call list", "{n} 在外呼任务 {c} 的免打扰名单中。"),
    (r"(?P<n>\+\d+) is already on the global do-not-call list", "{n} 已在全局免打扰名单中。"),
    (r"(?P<n>\+\d+) is already on campaign (?P<c>\S+)'s do-not-call list", "{n} 已在外呼任务 {c} 的免打扰名单中。"),
    # the command line (hotline.cli_lang.say); groups named *_m are messages themselves
    (r"error", "错误"),
    (r"campaign (?P<n>\S+) created \(draft\); import a list, then `hotline outbound start (?P<s>\S+)`",
     "外呼任务 {n} 已创建（草稿）；请导入名单，然后运行 `hotline outbound start {s}`"),
    (r"campaign (?P<n>\S+) is (?P<state_w>\w+)", "外呼任务 {n} 现在{state_w}"),
    (r"row (?P<r>\d+): (?P<e_m>.+)", "第 {r} 行：{e_m}"),
    (r"(?P<n>\d+) number\(s\) added", "已添加 {n} 个号码"),
    (r"(?P<a>\d+) of (?P<f>\d+) added; (?P<s>\d+) left out", "找到 {f} 个，已添加 {a} 个，{s} 个未加入"),
    (r"a sample needs at least 1 caller, not (?P<n>\S+)", "抽样至少需要 1 位来电者，而不是 {n}"),
    (r"--from / --to must be days like 2026-12-07, not (?P<a>.+) / (?P<b>.+)",
     "--from / --to 必须是形如 2026-12-07 的日期，而不是 {a} / {b}"),
    (r"--to is before --from", "--to 早于 --from"),
    (r"wrote (?P<f>.+)", "已写入 {f}"),
    (r"cannot read (?P<f>.+) \((?P<e>[^()]*)\); check the path", "无法读取 {f}（{e}），请检查路径"),
    # the QA command line (qa.cli, agent_console.qa_cli)
    (r"(?P<d>'[^']*'|\"[^\"]*\") is not a day; write it as 2027-01-15\.", "{d} 不是日期，请写成 2027-01-15 的形式。"),
    (r"Name at least one evaluator, e\.g\. --evaluators qa,qa2\.", "请至少指定一位质检员，例如 --evaluators qa,qa2。"),
    (r"Group by one of (?P<l>.+), not (?P<v>'[^']*'|\"[^\"]*\")\.", "分组方式可选：{l}，而不是 {v}。"),
    (r"The period is one of (?P<l>.+), not (?P<v>'[^']*'|\"[^\"]*\")\.", "周期可选：{l}，而不是 {v}。"),
    (r"The level is one of (?P<l>.+), not (?P<v>'[^']*'|\"[^\"]*\")\.", "层级可选：{l}，而不是 {v}。"),
    (r"Rank by one of (?P<l>.+), not (?P<v>'[^']*'|\"[^\"]*\")\.", "排名依据可选：{l}，而不是 {v}。"),
    (r"(?P<n>\d+) recording\(s\) analysed, (?P<u>\d+) unreadable", "已分析 {n} 条录音，{u} 条无法读取"),
    (r"(?P<n>\d+) recording\(s\) checked \((?P<e>\d+) with no speech engine for the form's language\), "
     r"(?P<u>\d+) unreadable", "已检查 {n} 条录音（其中 {e} 条没有评分表语言的语音识别引擎），{u} 条无法读取"),
    (r"recording (?P<r>\d+) agent (?P<a>\S+) -> (?P<e>\S+) \((?P<why>.*)\)", "录音 {r} 坐席 {a} -> {e}（{why}）"),
    (r"recording (?P<r>\d+): (?P<e_m>.+)", "录音 {r}：{e_m}"),
    (r"(?P<n>\d+) evaluation\(s\) assigned", "已分配 {n} 个质检评估"),
    (r"(?P<n>\d+) row\(s\) written to (?P<f>.+)", "已写入 {n} 行到 {f}"),
    (r"(?P<n>\d+) number\(s\) added; (?P<m>\d+) row\(s\) refused", "已添加 {n} 个号码；{m} 行被拒绝"),
    # a campaign's configuration (outbound.campaign.CampaignConfig, outbound.service.edit_campaign)
    (r"campaign name (?P<n>'[^']*'|\"[^\"]*\"): use 1-64 letters, digits, - _ \.",
     "外呼任务名称 {n}：请使用 1 到 64 个字母、数字或 - _ . 字符。"),
    (r"queue (?P<q>'[^']*'|\"[^\"]*\"): use the name of an ACD queue \(letters, digits, - _ \.\)",
     "队列 {q}：请填写 ACD 队列的名称（字母、数字或 - _ .）。"),
    (r"caller id: (?P<n>'[^']*'|\"[^\"]*\") is not a phone number: (?P<why_m>.+); write it as \+8613800138000",
     "主叫号码：{n} 不是电话号码（{why_m}），请写成 +8613800138000。"),
    (r"caller id: (?P<n>'[^']*'|\"[^\"]*\") has the wrong number of digits for its country",
     "主叫号码：{n} 的位数与其国家/地区不符。"),
    (r"caller id: (?P<e>.+)", "主叫号码无效：{e}"),
    (r"calling hours (?P<h>'[^']*'|\"[^\"]*\") must look like 09:00-21:00", "外呼时段 {h} 应写成 09:00-21:00。"),
    (r"calling hours (?P<h>'[^']*'|\"[^\"]*\") must be a start before an end within one day",
     "外呼时段 {h} 的开始时间必须早于结束时间，且在同一天内。"),
    (r"max attempts per day must be 1 to (?P<n>\d+)", "每天最多拨打次数应为 1 到 {n}。"),
    (r"max attempts in total must be at least the attempts per day \((?P<d>\d+)\) and at most (?P<n>\d+)",
     "总拨打次数上限不能少于每天的次数（{d}），且最多 {n}。"),
    (r"retry rule (?P<r>'[^']*'|\"[^\"]*\") must look like busy=600/3", "重拨规则 {r} 应写成 busy=600/3。"),
    (r"retry rule (?P<r>'[^']*'|\"[^\"]*\"): unknown result; use one of (?P<l>.+)",
     "重拨规则 {r}：未知的呼叫结果，可选：{l}。"),
    (r"retry rule (?P<r>'[^']*'|\"[^\"]*\"): an? (?P<x>\w+) record is not retried; use one of (?P<l>.+)",
     "重拨规则 {r}：结果为 {x} 的记录不会重拨，可选：{l}。"),
    (r"retry rule (?P<r>'[^']*'|\"[^\"]*\"): wait 60 s to 7 days and retry 0 to (?P<n>\d+) times",
     "重拨规则 {r}：间隔应为 60 秒到 7 天，重拨 0 到 {n} 次。"),
    (r"abandon cap (?P<c>\S+) must be between 0 and 0\.05 \(5%\)", "放弃率上限 {c} 应在 0 到 0.05（5%）之间。"),
    (r"a campaign needs at least one disposition code", "外呼任务至少需要一个处理结果代码。"),
    (r"disposition code (?P<c>'[^']*'|\"[^\"]*\"): use 1-32 letters, digits, - _",
     "处理结果代码 {c}：请使用 1 到 32 个字母、数字或 - _。"),
    (r"a disposition code is listed twice", "有处理结果代码重复。"),
    (r"the script has more than (?P<n>\d+) characters", "话术超过 {n} 个字符。"),
    (r"answering-machine choice (?P<a>'[^']*'|\"[^\"]*\"): use one of (?P<l>.+)",
     "答录机处理方式 {a} 无效，可选：{l}。"),
    (r"leaving a message on a machine needs the prompt to play \(a prompt name such as ob-notice\)",
     "在答录机上留言需要指定要播放的提示音（提示音名称，例如 ob-notice）。"),
    (r"a campaign named (?P<n>'[^']*'|\"[^\"]*\") exists already", "名为 {n} 的外呼任务已存在。"),
    (r"queue (?P<q>'[^']*'|\"[^\"]*\") is not an ACD queue and the ACD has none yet; add the queue on the "
     r"admin page first", "队列 {q} 不是 ACD 队列，且 ACD 还没有任何队列：请先在管理页面添加该队列。"),
    (r"queue (?P<q>'[^']*'|\"[^\"]*\") is not an ACD queue; use one of (?P<l>.+) \(queues are added on the "
     r"admin page\)", "队列 {q} 不是 ACD 队列，可选：{l}（队列在管理页面添加）。"),
    (r"campaign (?P<n>\S+) is running: pause it, edit it, then start it again \(the new settings apply on "
     r"that start\)", "外呼任务 {n} 正在进行：请先暂停，修改后再启动（新设置在启动时生效）。"),
    (r"campaign (?P<n>\S+) is stopped: its settings stay as they ran for the report; create a new "
     r"campaign instead", "外呼任务 {n} 已停止：其设置按运行时保留用于报表，请新建任务。"),
    # hotline outbound edit (outbound.cli)
    (r"nothing to edit: give the settings to change, such as --hours 09:00-20:00",
     "没有要修改的内容：请给出要修改的设置，例如 --hours 09:00-20:00。"),
    (r"campaign (?P<n>\S+) is unchanged: it has those settings already", "外呼任务 {n} 未改变：它已是这些设置。"),
    (r"campaign (?P<n>\S+) edited \((?P<c>[^)]*)\); the new settings apply when it \(next\) starts",
     "外呼任务 {n} 已修改（{c}）；新设置在（下次）启动时生效。"),
]
_COMPILED = [(re.compile(pattern + r"\Z"), zh) for pattern, zh in _CATALOGUE]
# Words inside refusals (groups named ``*_w``; a list "a, b" is worded item by item).
_WORDS = {"draft": "草稿", "running": "运行中", "paused": "已暂停", "stopped": "已停止",
          "start": "启动", "pause": "暂停", "stop": "停止", "none (final)": "无（已结束）"}


def _word(group: str, value: str) -> str:
    if group.endswith("_m"):  # a message inside a message (``row 3: <why>``)
        return to_chinese(value)
    if not group.endswith("_w"):
        return value
    return "、".join(_WORDS.get(v, v) for v in value.split(", "))


def wants_chinese(accept_language: str | None) -> bool:
    """True when the first language the client asks for is Chinese (``zh``, ``zh-CN`` …)."""
    if not accept_language:
        return False
    first = accept_language.split(",")[0].split(";")[0].strip().lower()
    return first == "zh" or first.startswith("zh-")


def to_chinese(message: str) -> str:
    """The Chinese wording of ``message``, or ``message`` itself when the catalogue has none."""
    for pattern, zh in _COMPILED:
        m = pattern.match(message)
        if m:
            return zh.format(**{k: _word(k, v) for k, v in m.groupdict().items()})
    return message


def localize(detail: Any) -> Any:
    """``detail`` of an error body in Chinese: a sentence, or FastAPI's list of ``{msg: …}``."""
    if isinstance(detail, str):
        return to_chinese(detail)
    if isinstance(detail, list):
        return [{**d, "msg": to_chinese(d["msg"])} if isinstance(d, dict) and isinstance(d.get("msg"), str)
                else d for d in detail]
    return detail
