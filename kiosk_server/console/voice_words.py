"""The voice card's words (the screen page's "叫号语音" card), Chinese first."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "voice.title": ("叫号语音", "Call voice"),
    "voice.hint": (
        "屏幕先响提示音，再用语音包里的录音拼读叫号（如“请 A 零 二 三 号 到 五 号窗口办理”），"
        "不依赖浏览器的语音合成；断网时照常播放。",
        "The screen plays the chime, then reads each call from the voice pack's recordings "
        "(for example 请 A 零 二 三 号 到 五 号窗口办理) with no speech engine in the browser, also while offline.",
    ),
    "voice.pack": ("语音包", "Voice pack"),
    "voice.pack.hall": ("本大厅上传的录音", "recordings uploaded for this hall"),
    "voice.pack.default": (
        "默认语音包（安装时由 espeak-ng 生成）",
        "the default pack (made with espeak-ng at install)",
    ),
    "voice.pack.none": (
        "没有语音包：只响提示音（浏览器有中文语音时用它朗读）。请在服务器上运行 kiosk voice-pack build。",
        "No voice pack: the chime only (or the browser's Chinese voice, if it has one). Run kiosk voice-pack build on the server.",
    ),
    "voice.volume": ("音量", "Volume"),
    "voice.volume.value": ("{volume}%", "{volume}%"),
    "voice.quiet": ("静音时段", "Quiet hours"),
    "voice.quiet.none": ("无", "none"),
    "voice.quiet.value": ("{start} 至 {end}，{mode}", "{start} to {end}, {mode}"),
    "voice.mode.chime": ("只响提示音", "chime only"),
    "voice.mode.silent": ("完全静音", "silent"),
    "voice.screen.edit": ("设置本屏幕", "Set this screen"),
    "voice.field.volume": ("音量（0–100）", "Volume (0–100)"),
    "voice.field.quiet_from": ("静音开始", "Quiet from"),
    "voice.field.quiet_to": ("静音结束", "Quiet until"),
    "voice.field.quiet_mode": ("静音时段内", "During quiet hours"),
    "voice.field.quiet.hint": (
        "大厅当地时间，可跨午夜（如 18:00 至 08:30）；两项都留空表示没有静音时段。",
        "The hall's local time, may run past midnight (for example 18:00 to 08:30); leave both empty for none.",
    ),
    "voice.field_problem.volume": ("音量请填 0 到 100 的整数", "Volume must be a whole number from 0 to 100"),
    "voice.field_problem.quiet_from": (
        "请按“时:分”填写开始时间（如 08:30），或两项都留空",
        "Give the start as HH:MM (for example 08:30), or leave both empty",
    ),
    "voice.field_problem.quiet_to": (
        "请按“时:分”填写结束时间，且不能与开始时间相同",
        "Give the end as HH:MM, not the same as the start",
    ),
    "voice.field_problem.quiet_mode": ("请选择静音方式", "Choose what quiet means"),
    "voice.save": ("保存", "Save"),
    "voice.saved.screen": ("已保存本屏幕的叫号语音设置", "This screen's call voice settings were saved"),
    "voice.saved.pack": ("已换用新的语音包（{count} 段录音）", "The new voice pack is in use ({count} recordings)"),
    "voice.refused.retired": ("屏幕已停用，不能修改", "The screen is retired and cannot be changed"),
    "voice.refused.hall": ("您不能更换这个大厅的语音包", "You may not replace this hall's voice pack"),
    "voice.upload": ("上传本大厅的录音", "Upload this hall's recordings"),
    "voice.upload.hint": (
        "一个 zip 压缩包，或每段一个文件（WAV、MP3 或 OGG）。文件名即段名：请（或 qing）、号（hao）、到（dao）、"
        "号窗口办理（haochuangkoubanli）、重呼（chonghu）、A–Z、0–9，共 41 段，缺一不可；每段不超过 2 MB。"
        "有任何一段不合格时，什么都不会更换。",
        "One zip archive, or one file per segment (WAV, MP3 or OGG). The file name is the segment: 请 (or qing), "
        "号 (hao), 到 (dao), 号窗口办理 (haochuangkoubanli), 重呼 (chonghu), A–Z, 0–9: all 41, each at most 2 MB. "
        "If any one is refused, nothing is replaced.",
    ),
    "voice.field.files": ("录音文件", "Recordings"),
    "voice.upload.submit": ("上传并使用", "Upload and use"),
    "voice.refused.title": (
        "没有更换语音包，请改正以下问题后重新上传：",
        "Nothing was replaced. Fix these and upload again:",
    ),
    "voice.problem.not_zip": ("压缩包无法打开（不是 zip 文件）", "the archive cannot be opened (not a zip file)"),
    "voice.problem.zip_large": ("压缩包解开后超过 40 MB", "the archive unpacks to more than 40 MB"),
    "voice.problem.name": (
        "文件名不是任何一段的名字（请用 请、号、到、号窗口办理、重呼、A–Z 或 0–9）",
        "the file name is no segment's name (use 请, 号, 到, 号窗口办理, 重呼, A–Z or 0–9)",
    ),
    "voice.problem.duplicate": ("与另一个文件重复，都是“{detail}”这一段", "a second file for segment {detail}"),
    "voice.problem.small": ("文件太小，不像是录音（{detail} 字节）", "too small to be a recording ({detail} bytes)"),
    "voice.problem.large": ("文件超过 2 MB", "larger than 2 MB"),
    "voice.problem.not_audio": (
        "不是 WAV、MP3 或 OGG 录音（按文件内容判断，不看扩展名）",
        "not a WAV, MP3 or OGG recording (told by its content, not its name)",
    ),
    "voice.problem.missing": ("缺少这些段：{detail}", "these segments are missing: {detail}"),
    "voice.problem.none": ("没有选择文件", "no file was chosen"),
    "voice.back": ("返回屏幕", "Back to the screen"),
}
