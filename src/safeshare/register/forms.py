"""The caseload upload form: size, extension and a look at the bytes; never the file's name."""

from __future__ import annotations

from django import forms
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from safeshare.register.csvfiles import COLUMNS_TEXT

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_UPLOAD_TEXT = "25 MB"
_NOT_CSV = (
    (b"PK\x03\x04", "an Excel workbook or other zipped file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
)


class LimitedUploadHandler(FileUploadHandler):
    """Skips a file once it passes the limit, so that an oversize upload is never kept."""

    def __init__(self, limit: int = MAX_UPLOAD_BYTES, request=None) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_big = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class SweepUploadForm(forms.Form):
    """A caseload to screen against the register."""

    caseload = forms.FileField(
        label="Caseload file",
        help_text=(
            f"A CSV file saved as ‘CSV UTF-8’, up to {MAX_UPLOAD_TEXT}, with the columns "
            f"{COLUMNS_TEXT}. Dates of birth as YYYY, YYYY-MM or YYYY-MM-DD."
        ),
        error_messages={
            "required": "Select the caseload file to upload",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, too_big: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        self.fields["caseload"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_caseload(self):
        upload = self.cleaned_data["caseload"]
        name = (upload.name or "").lower()
        if not name.endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV file (ending .csv)")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The selected file must be smaller than {MAX_UPLOAD_TEXT}"
            )
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        for signature, kind in _NOT_CSV:
            if head.startswith(signature):
                raise forms.ValidationError(
                    f"The selected file is {kind}, not a CSV file. In Excel, choose Save as, "
                    "then ‘CSV UTF-8’"
                )
        if b"\x00" in head:
            raise forms.ValidationError("The selected file is not a text CSV file")
        return upload

    def full_clean(self) -> None:
        super().full_clean()
        if self.too_big and self.is_bound:
            self.errors.pop("caseload", None)  # the errors full_clean just made
            self.add_error("caseload", f"The selected file must be smaller than {MAX_UPLOAD_TEXT}")
