"""The prompt catalogue: every prompt id of the default menus with its text per language.

A prompt is played from ``<prompts_dir>/<lang>/<id>.wav``. ``hotline prompts build``
renders the missing ones from the text below (espeak-ng + sox, 8 kHz mono 16-bit), so a
fresh install speaks; a recorded file put in its place is kept. A menu file may add
texts for its own prompts under ``prompts:`` (``id: {zh: ..., en: ...}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

CATALOGUE: dict[str, dict[str, str]] = {
    "welcome": {"zh": "您好，欢迎致电客户服务热线。", "en": "Hello, and welcome to the customer service hotline."},
    "lang_menu": {"zh": "普通话服务请按1。For English, press 2.", "en": "普通话服务请按1。For English, press 2."},
    "main_menu": {
        "zh": "销售咨询请按1，技术支持请按2，投诉与建议请按3，查询工单进度请按4，人工服务请按0。",
        "en": "For sales, press 1. For technical support, press 2. For complaints, press 3. "
              "For the status of a ticket, press 4. To speak to an agent, press 0.",
    },
    "vip_welcome": {"zh": "尊敬的贵宾客户，您好，正在为您优先转接专属客服。",
                    "en": "Welcome back, valued customer. We are putting you through to a priority agent."},
    "blacklisted": {"zh": "抱歉，暂时无法为您提供服务。再见。", "en": "Sorry, we cannot take your call. Goodbye."},
    "no_input": {"zh": "抱歉，没有收到您的按键。", "en": "Sorry, we did not receive your input."},
    "invalid": {"zh": "抱歉，您的输入有误。", "en": "Sorry, that is not a valid choice."},
    "transfer_agent": {"zh": "正在为您转接人工客服，请稍候。", "en": "Transferring you to an agent, please hold."},
    "connecting": {"zh": "正在为您转接，请稍候。", "en": "Please hold while we connect you."},
    "complaints_intro": {"zh": "正在为您转接投诉专线，您的意见对我们非常重要。",
                         "en": "Connecting you to our complaints team. Your feedback matters to us."},
    "after_hours": {"zh": "您好，现在是非工作时间。我们的工作时间是周一至周五上午九点至下午六点。",
                    "en": "Our office is now closed. Our hours are Monday to Friday, nine a.m. to six p.m."},
    "holiday_closed": {"zh": "节假日期间人工服务暂停。", "en": "We are closed for the public holiday."},
    "after_hours_menu": {"zh": "留言请按1，预约回电请按2，紧急情况转值班人员请按9。",
                         "en": "To leave a message, press 1. To book a callback, press 2. "
                               "For emergencies, press 9 for the officer on duty."},
    "transfer_duty": {"zh": "正在为您转接值班人员，请稍候。", "en": "Connecting you to the officer on duty, please hold."},
    "vm_prompt": {"zh": "请在提示音后留言，留言完毕请按井号键。",
                  "en": "Please leave your message after the tone, then press the hash key."},
    "vm_busy": {"zh": "抱歉，现在客服都在忙。请在提示音后留言，留言完毕请按井号键，我们会尽快回电。",
                "en": "Sorry, all our agents are still busy. Please leave a message after the tone, "
                      "then press the hash key, and we will call you back."},
    "vm_thanks": {"zh": "您的留言已收到，我们将在下一个工作日尽快回复。再见。",
                  "en": "Thank you, we have your message and will reply on the next working day. Goodbye."},
    "cb_intro": {"zh": "我们将回电至以下号码：", "en": "We will call you back on this number:"},
    "cb_confirm": {"zh": "确认请按1，输入其他号码请按2。", "en": "To confirm, press 1. To enter another number, press 2."},
    "cb_enter_number": {"zh": "请输入您的回电号码，以井号键结束。",
                        "en": "Please enter your callback number, followed by the hash key."},
    "cb_thanks": {"zh": "回电预约成功，我们将尽快与您联系。再见。",
                  "en": "Your callback is booked. We will call you as soon as we can. Goodbye."},
    "ticket_enter": {"zh": "请输入您的工单号，以井号键结束。",
                     "en": "Please enter your ticket number, followed by the hash key."},
    "ticket_not_found": {"zh": "抱歉，没有找到这个工单号。", "en": "Sorry, we could not find that ticket number."},
    "ticket_status_is": {"zh": "您的工单", "en": "Your ticket number"},
    "ticket_st_new": {"zh": "已登记，正在等待受理。", "en": "has been registered and is waiting to be accepted."},
    "ticket_st_accepted": {"zh": "已受理。", "en": "has been accepted."},
    "ticket_st_assigned": {"zh": "已分派给专人处理。", "en": "has been assigned to a specialist."},
    "ticket_st_in_progress": {"zh": "正在处理中。", "en": "is being worked on."},
    "ticket_st_escalated": {"zh": "已升级督办。", "en": "has been escalated."},
    "ticket_st_resolved": {"zh": "已经解决，等待您的确认。", "en": "has been resolved."},
    "ticket_st_callback": {"zh": "我们将回电与您联系。", "en": "is waiting for us to call you back."},
    "ticket_st_closed": {"zh": "已经办结。", "en": "has been closed."},
    "ticket_st_other": {"zh": "正在处理中。", "en": "is being processed."},
    "ticket_more": {"zh": "返回主菜单请按1，人工服务请按0。", "en": "To return to the main menu, press 1. For an agent, press 0."},
    "survey_intro": {"zh": "感谢您的来电，请为本次服务打分。", "en": "Thank you for calling. Please rate our service."},
    "survey_q_agent": {"zh": "请为客服人员的服务态度打分，1分最低，5分最高。",
                       "en": "How satisfied were you with the agent? Press 1 for poor up to 5 for excellent."},
    "survey_q_resolved": {"zh": "您的问题解决得如何？请按1到5打分。",
                          "en": "How well was your problem solved? Press 1 to 5."},
    "survey_thanks": {"zh": "感谢您的评价，再见。", "en": "Thank you for your feedback. Goodbye."},
    "goodbye": {"zh": "感谢您的来电，再见。", "en": "Thank you for calling. Goodbye."},
    "outbound_notice": {"zh": "您好，这里是客服中心回访，耽误您一分钟。",
                        "en": "Hello, this is a follow-up call from our service centre; it takes one minute."},
    "outbound_q_satisfied": {"zh": "您对我们的处理结果满意吗？请按1到5打分。",
                             "en": "How satisfied are you with how we handled your case? Press 1 to 5."},
}

# Ticket workflow states (crm/) that have their own prompt; others use ticket_st_other.
TICKET_STATUS_PROMPTS = {
    s: f"ticket_st_{s}" for s in ("new", "accepted", "assigned", "in_progress", "escalated", "resolved",
                                  "callback", "closed")
}


def status_prompt(status: str) -> str:
    return TICKET_STATUS_PROMPTS.get(status.strip().lower().replace("-", "_"), "ticket_st_other")


def prompt_texts(extra: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, dict[str, str]]:
    """The catalogue merged with a menu file's own prompt texts (the file wins)."""
    merged = {k: dict(v) for k, v in CATALOGUE.items()}
    for pid, texts in (extra or {}).items():
        merged.setdefault(pid, {}).update(texts)
    return merged


def prompt_path(prompts_dir: Path, language: str, prompt_id: str) -> Path:
    """The file Asterisk plays (STREAM FILE takes it without the extension)."""
    return prompts_dir / language / prompt_id
