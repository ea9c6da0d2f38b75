"""The 电子印章 page's words (``/console/seals``), Chinese first."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "nav.seals": ("电子印章", "Seals"),
    "seals.title": ("电子印章与签名", "Seals and signatures"),
    "seals.hint": (
        "自助终端出具的参保证明上，在出具大厅名称处加盖本大厅的电子印章；大厅没有印章时使用上级机构的印章。"
        "证明同时带有数字签名（PAdES），签名证书由系统管理员在服务器上用 kiosk signing-key 设置。",
        "Certificates a kiosk issues carry the hall's seal over the hall's name; a hall without one uses its "
        "nearest parent unit's. They are also signed (PAdES) with a signing key set on the server with kiosk signing-key.",
    ),
    "seals.hall": ("大厅", "Hall"),
    "seals.seal": ("印章", "Seal"),
    "seals.signature": ("数字签名", "Signature"),
    "seals.own": ("本大厅的印章", "the hall's own seal"),
    "seals.inherited": ("沿用上级机构“{unit}”的印章", "inherited from {unit}"),
    "seals.none": ("无印章：证明上注明“本证明未加盖印章”", "None: certificates say 本证明未加盖印章 (not sealed)"),
    "seals.signed_as": ("以“{name}”签名，证书有效至 {until}", "Signed as {name}, certificate valid until {until}"),
    "seals.unsigned": (
        "未配置签名证书：证明不带数字签名出具，终端会提示",
        "No signing key: certificates are issued unsigned, and the kiosk says so",
    ),
    "seals.image_alt": ("{hall}的电子印章", "Seal of {hall}"),
    "seals.field.file": ("上传印章图片（PNG）", "Upload a seal image (PNG)"),
    "seals.field.help": (
        "仅限 PNG 图片，不超过 512 KB，边长不超过 2000 像素；建议使用透明背景，以免遮挡文字。",
        "PNG only, at most 512 KB and 2000 pixels a side; a transparent background keeps the text readable.",
    ),
    "seals.upload": ("上传", "Upload"),
    "seals.remove": ("删除本大厅的印章", "Remove the hall's own seal"),
    "seals.saved": ("已更新“{hall}”的电子印章", "The seal of {hall} is updated"),
    "seals.saved_opaque": (
        "已更新“{hall}”的电子印章。该图片没有透明背景，盖在文字上会遮挡文字，建议换用透明背景的 PNG。",
        "The seal of {hall} is updated. The image has no transparent background and will hide the text under it.",
    ),
    "seals.removed": ("已删除“{hall}”的电子印章", "The seal of {hall} is removed"),
    "seals.refused.hall": (
        "只有机构管理员或本大厅的管理员可以更换印章",
        "Only an org admin or the hall's own manager may change its seal",
    ),
    "seals.problem.empty": ("请选择要上传的 PNG 图片", "Choose a PNG image to upload"),
    "seals.problem.not_png": ("该文件不是 PNG 图片，未作更改", "The file is not a PNG image: nothing was changed"),
    "seals.problem.broken_png": (
        "该 PNG 图片已损坏或不完整，未作更改",
        "The PNG image is damaged or incomplete: nothing was changed",
    ),
    "seals.problem.too_big": ("文件超过 512 KB，未作更改", "The file is larger than 512 KB: nothing was changed"),
    "seals.problem.too_large": (
        "图片边长超过 2000 像素，未作更改",
        "The image is more than 2000 pixels a side: nothing was changed",
    ),
    "seals.halls_none": ("您的管辖范围内没有大厅", "No halls in your scope"),
}
