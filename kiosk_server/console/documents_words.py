"""The console's words for PDF documents (文档): Chinese first, English second."""

from __future__ import annotations

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "documents.tab": ("文档", "Documents"),
    "playlists.item.document": ("文档", "Document"),  # a PDF in a playlist's item picker
    "documents.title": ("PDF 文档", "PDF documents"),
    "documents.upload": ("上传 PDF 文档", "Upload a PDF document"),
    "documents.upload.submit": ("上传并生成页面", "Upload and render the pages"),
    "documents.upload.hint": (
        "上传后每一页都会转换为图片，屏幕按页轮播；页面较多时需要几秒钟",
        "Each page becomes an image on upload, and screens show them one after another; many pages take a few seconds",
    ),
    "documents.field.file": (
        "PDF 文件（不超过 {mb} MB，最多 {pages} 页）",
        "PDF file ({mb} MB and {pages} pages at most)",
    ),
    "documents.field.title": ("标题（留空则用文件名）", "Title (the file name if left empty)"),
    "documents.field.title_edit": ("标题", "Title"),
    "documents.field.seconds_per_page": ("每页显示时长（秒）", "Seconds per page"),
    "documents.pages": ("{count} 页", "{count} pages"),
    "documents.page": ("第 {number} 页", "Page {number}"),
    "documents.per_page": ("每页 {seconds} 秒", "{seconds} s a page"),
    "documents.none": ("没有文档", "No documents"),
    "documents.edit": ("编辑文档：{title}", "Edit document: {title}"),
    "documents.uploaded": ("已上传：{title}（{count} 页）", "Uploaded: {title} ({count} pages)"),
    "documents.deleted": ("已删除：{title}", "Deleted: {title}"),
    "documents.delete": ("删除文档", "Delete"),
    "documents.delete.in_use": (
        "该文档正用于 {count} 个播放列表，不能删除；可以归档",
        "It is in {count} playlists, so it cannot be deleted: archive it instead",
    ),
    "documents.error.seconds": ("每页时长应为 1 到 3600 秒", "Between 1 and 3600 seconds a page"),
    # Why a PDF was refused.
    "documents.file.required": ("请选择要上传的 PDF 文件", "Choose a PDF file to upload"),
    "documents.file.pdf_type": (
        "这不是 PDF 文件：文件开头不是 %PDF-",
        "This is no PDF file: it does not start with %PDF-",
    ),
    "documents.file.pdf_pages": ("PDF 有 {total} 页，最多 {limit} 页", "The PDF has {total} pages; at most {limit}"),
    "documents.file.pdf_encrypted": (
        "PDF 设有打开密码，无法转换；请去掉密码后再上传",
        "The PDF is protected by a password: upload it without one",
    ),
    "documents.file.pdf_empty": ("PDF 没有任何页面", "The PDF has no pages"),
    "documents.file.pdf_page_size": (
        "PDF 第 {page} 页的尺寸异常（过长或过窄），无法在屏幕上显示",
        "Page {page} of the PDF has a shape no screen can show (far too long or narrow)",
    ),
    "documents.file.pdf_broken": (
        "PDF 已损坏或格式不正确，无法读取",
        "The PDF is damaged or malformed: it cannot be read",
    ),
    "documents.file.pdf_time": (
        "PDF 转换超时，请减少页数或简化文档后再上传",
        "Rendering the PDF took too long: upload fewer or simpler pages",
    ),
    "documents.file.pdf_limits": (
        "PDF 转换超出内存或时间限制，请简化文档后再上传",
        "Rendering the PDF exceeded its memory or time limit: simplify it first",
    ),
    "documents.file.size": ("文件超过 {mb} MB 的上限", "The file is larger than the {mb} MB limit"),
}
