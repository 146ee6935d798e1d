"""Photos sent by people (classified ads): the only module that imports Pillow.

A photo is never kept as it was sent. Its *content* is read (not its name): anything Pillow
cannot open as a JPEG, PNG, GIF or WebP image is refused, and so is an image that declares more
than ``MAX_PIXELS`` pixels (a « decompression bomb »: a few kilobytes that would take gigabytes
once decoded). An accepted image is turned the way the camera held it (EXIF orientation), then
re-encoded as JPEG at each size asked for, without any of its metadata: the place where it was
taken (GPS), the camera, the date, comments — nothing of the original file reaches the disk.
"""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

# 40 megapixels: more than any phone's camera. Pillow warns above its limit and raises above
# twice that; both are refusals here (the warning is turned into an error below).
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
QUALITY = 82


class ImageError(ValueError):
    """A refused image, with a French message."""


def _open(data: bytes, name: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"« {name} » est une image bien trop grande "
                         f"(plus de {MAX_PIXELS // 1_000_000} millions de points) : "
                         "réduisez-la avant de l'envoyer.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"« {name} » n'est pas une image lisible : envoyez une photo "
                         "au format JPEG, PNG, GIF ou WebP.") from exc
    return image


def readable(data: bytes) -> bool:
    """Whether ``reencode`` would accept ``data`` (a form keeps only such photos)."""
    try:
        _open(data, "photo")
    except ImageError:
        return False
    return True


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, transparent parts on white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def reencode(data: bytes, sizes: tuple[int, ...], *, name: str = "photo") -> list[bytes]:
    """The image ``data`` as JPEG files, one per size (the longest side at most that many
    pixels; a smaller image is not enlarged), upright and without metadata. Raise
    ``ImageError`` (French) when ``data`` is not an image or is a decompression bomb."""
    image = _open(data, name)
    try:
        image = _flatten(ImageOps.exif_transpose(image))
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageError(f"« {name} » n'est pas une image lisible.") from exc
    result = []
    for size in sizes:
        copy = image.copy()
        copy.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # A new image carries no info: no EXIF, no ICC profile, no comment is written.
        clean = Image.new("RGB", copy.size)
        clean.paste(copy)
        clean.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        result.append(out.getvalue())
    return result
