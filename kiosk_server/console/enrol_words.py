"""The words of device enrolment: the enrol page, and the revoke and re-enrol buttons of a screen."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "nav.enrol": ("设备登记", "Enrol a device"),
    "enrol.title": ("设备登记", "Enrol a device"),
    "enrol.lead": (
        "在新设备上打开 /enrol，屏幕会显示一个 6 位登记码。把登记码填在下面，选好大厅和名称，设备几秒内自动切换为该屏幕。",
        "Open /enrol on the new device: it shows a six-character code. Type the code below, choose the hall and "
        "name, and the device turns into that screen within seconds.",
    ),
    "enrol.code": ("登记码（设备屏幕上显示）", "Code (shown on the device)"),
    "enrol.mode": ("登记方式", "What to do"),
    "enrol.mode.new": ("登记为新屏幕", "Enrol as a new screen"),
    "enrol.mode.replace": (
        "替换已有屏幕的设备（原设备立即停用）",
        "Replace the device of an existing screen (the old one stops at once)",
    ),
    "enrol.section.replace": ("替换设备时填写", "When replacing a device"),
    "enrol.section.new": ("登记为新屏幕时填写", "When enrolling a new screen"),
    "enrol.replace": ("被替换的屏幕", "Screen to replace"),
    "enrol.hall": ("大厅", "Hall"),
    "enrol.name": ("屏幕名称", "Screen name"),
    "enrol.kind": ("类型", "Kind"),
    "enrol.preset": ("面板规格", "Panel profile"),
    "enrol.preset.custom": ("自定义（按下面的尺寸）", "Custom (the sizes below)"),
    "enrol.preset.lcd_landscape": ("1920×1080 横屏 LCD", "1920×1080 landscape LCD"),
    "enrol.preset.lcd_4k": ("3840×2160 横屏 LCD", "3840×2160 landscape LCD"),
    "enrol.preset.kiosk_portrait": ("1080×1920 竖屏自助终端", "1080×1920 portrait kiosk"),
    "enrol.preset.led_strip": ("640×64 LED 条屏", "640×64 LED strip"),
    "enrol.preset.led_wall": ("768×384 LED 墙", "768×384 LED wall"),
    "enrol.width": ("宽（像素）", "Width (px)"),
    "enrol.height": ("高（像素）", "Height (px)"),
    "enrol.orientation": ("方向", "Orientation"),
    "enrol.orientation.landscape": ("横屏", "Landscape"),
    "enrol.orientation.portrait": ("竖屏", "Portrait"),
    "enrol.panel": ("面板", "Panel"),
    "enrol.panel.lcd": ("LCD 液晶", "LCD"),
    "enrol.panel.led": ("LED", "LED"),
    "enrol.groups": ("屏幕分组（可多选）", "Screen groups (any number)"),
    "enrol.groups.none": ("大厅所在机构没有屏幕分组", "No screen group on the hall's org path"),
    "enrol.tags": ("标签（用逗号分隔）", "Tags (comma separated)"),
    "enrol.submit": ("登记设备", "Enrol the device"),
    "enrol.choose": ("请选择", "Choose"),
    "enrol.done": (
        "已登记「{name}」（{hall}）。设备会在几秒内自动切换，无需在设备上操作。",
        "“{name}” ({hall}) is enrolled. The device switches by itself within seconds.",
    ),
    "enrol.done.replaced": (
        "已为「{name}」更换设备：原设备已停用，新设备会在几秒内自动切换。",
        "“{name}” has a new device: the old one is shut out, the new one switches within seconds.",
    ),
    "enrol.error.malformed": (
        "登记码是 6 位字母或数字（不含 0、O、1、I、L、2、Z、5、S、8、B），请核对设备屏幕",
        "A code is six letters or digits (no 0, O, 1, I, L, 2, Z, 5, S, 8, B); check the device's screen",
    ),
    "enrol.error.unknown": ("没有这个登记码，请核对设备屏幕上的码", "No such code; check the code on the device"),
    "enrol.error.expired": (
        "登记码已过期（有效 10 分钟），设备会自动显示新码，请填写新码",
        "The code expired (codes last 10 minutes); the device shows a new one by itself",
    ),
    "enrol.error.used": (
        "这个登记码已经用过了，请填写设备上显示的新码",
        "That code was used already; type the device's new code",
    ),
    "enrol.error.rate_limited": (
        "错误登记码太多，请 {minutes} 分钟后再试",
        "Too many wrong codes; try again in {minutes} minutes",
    ),
    "enrol.error.required": ("必填", "Required"),
    "enrol.error.hall": ("请选择您管辖范围内的大厅", "Choose a hall in your part of the tree"),
    "enrol.error.screen": ("请选择您管辖范围内的屏幕", "Choose a screen in your part of the tree"),
    "enrol.error.group": ("分组须属于该大厅所在的机构", "Groups must belong to the hall's org path"),
    "enrol.error.hall_retired": (
        "该大厅已停用，不能登记设备；请先在「大厅」页恢复它",
        "This hall is retired: restore it on the Halls page before enrolling devices into it",
    ),
    "enrol.error.group_retired": (
        "所选分组已停用；请先在「屏幕分组」页恢复它，或不选它",
        "A chosen group is retired: restore it on the Screen groups page, or leave it out",
    ),
    "enrol.error.screen_retired": (
        "该屏幕已停用，不能更换设备；请先在屏幕页恢复它",
        "This screen is retired: restore it on its page before replacing its device",
    ),
    "enrol.error.pixels": ("16 到 16384 之间的整数", "A whole number from 16 to 16384"),
    "enrol.error.tags": ("每个标签最多 50 个字，最多 50 个标签", "At most 50 tags of at most 50 characters"),
    "enrol.error.name": ("最多 120 个字", "At most 120 characters"),
    "device.title": ("设备登记", "Device enrolment"),
    "device.reenrol": ("更换设备（重新登记）", "Replace the device (re-enrol)"),
    "device.revoke": ("停用设备", "Revoke the device"),
    "device.revoke.confirm": (
        "停用后该设备立即断开并回到登记码画面；屏幕本身和它的内容安排都保留。",
        "The device is cut off at once and returns to its code screen; the screen and its schedules stay.",
    ),
    "device.revoked": (
        "「{name}」的设备已停用，可用新登记码重新登记",
        "The device of “{name}” is revoked; enrol one with a new code",
    ),
}
