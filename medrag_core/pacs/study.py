"""Open one study for checking: list it, pick the frontal image (or the one asked for), retrieve and decode it
through ``medrag_core.imaging`` exactly as an upload is decoded (same limits, modality LUT, VOI, MONOCHROME1),
and find the report it carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from medrag_core.errors import PacsError
from medrag_core.imaging import DecodedImage, check_geometry, decode_image

from .client import PacsClient, StudyReport
from .query import InstanceSummary
from .views import FrontalChoice, choose_frontal

if TYPE_CHECKING:
    from medrag_core.settings import Settings


@dataclass(frozen=True, eq=False)
class OpenedStudy:
    """A study with one image retrieved and decoded.

    ``data`` is the DICOM file as retrieved (pass it to ``workflow.verify`` like an upload: only its
    pixels are used there); ``images`` every radiograph of the study, for the user to switch;
    ``report`` the study's own report, if any.
    """

    study_uid: str
    images: list[InstanceSummary]
    chosen: FrontalChoice
    data: bytes
    decoded: DecodedImage
    report: StudyReport | None


def open_study(client: PacsClient, study_uid: str, settings: Settings, *, sop_uid: str | None = None,
               with_report: bool = True) -> OpenedStudy:
    """Retrieve ``study_uid``'s frontal image (or ``sop_uid``) and decode it.

    Raises ``PacsError`` (code ``pacs_no_image`` when the study holds no CR/DX image, ``pacs_not_found``
    when ``sop_uid`` is not one of them) and ``ImageDecodeError`` with the upload's codes.
    """
    instances = client.study_instances(study_uid)
    if not instances:
        raise PacsError("The PACS lists no instance in this study: it may have been deleted.", code="pacs_not_found")
    images = [i for i in instances if i.is_image]
    choice = choose_frontal(instances)
    if choice is None:
        raise PacsError(
            "This study holds no plain radiograph (DICOM modality CR or DX) to check. Pick another study.",
            code="pacs_no_image",
        )
    if sop_uid is not None and sop_uid != choice.instance.sop_uid:
        picked = next((i for i in images if i.sop_uid == sop_uid), None)
        if picked is None:
            raise PacsError("That image is not a radiograph of this study.", code="pacs_not_found")
        choice = FrontalChoice(picked, "chosen by you")
    data = retrieve_checked(client, choice.instance, settings)
    decoded = decode_image(data, max_pixels=settings.max_image_pixels)
    report = client.study_report(instances) if with_report else None
    return OpenedStudy(study_uid=study_uid, images=images, chosen=choice, data=data, decoded=decoded, report=report)


def retrieve_checked(client: PacsClient, instance: InstanceSummary, settings: Settings) -> bytes:
    """Retrieve an image with the upload limits: the size from QIDO's Rows/Columns is checked before the
    transfer, and the transfer stops past ``MEDRAG_MAX_UPLOAD_BYTES`` (``ImageDecodeError``, ``too_large``).
    The bytes then go through ``decode_image`` and its decompression-bomb checks, like an upload."""
    if instance.rows and instance.columns:
        check_geometry(instance.columns, instance.rows, settings.max_image_pixels)
    return client.retrieve(instance, max_bytes=settings.max_upload_bytes)
