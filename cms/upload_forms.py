"""The Wagtail image and document forms, with the checks every upload of the site gets
(config/uploads.py). Wagtail itself already limits their size, kind and (for pictures) pixels;
these add the refusal of HTML, SVG or script hidden in a picture or a document.

Named by WAGTAILIMAGES_IMAGE_FORM_BASE and WAGTAILDOCS_DOCUMENT_FORM_BASE in the settings.
"""

from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from config.uploads import is_new_upload, refuse_active_content


class CheckedUploadMixin:
    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file and is_new_upload(file):
            refuse_active_content(file)
        return file


class ImageForm(CheckedUploadMixin, BaseImageForm):
    pass


class DocumentForm(CheckedUploadMixin, BaseDocumentForm):
    pass
