"""Images for the demo, drawn here with Pillow: each clinic's logo, icon,
sharing image and hero images in its own colours. Nothing is fetched from
the internet and no photo of a person or a treatment is shown."""

from io import BytesIO

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw
from wagtail.images import get_image_model


def hex_to_rgb(colour):
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def blend(colour, other, amount):
    return tuple(
        round(a + (b - a) * amount) for a, b in zip(colour, other, strict=True)
    )


def logo(colour, size=(240, 240)):
    """A rounded square in the brand colour with a white cross-like mark."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rounded_rectangle([0, 0, w - 1, h - 1], radius=w // 5, fill=colour)
    bar = w // 7
    draw.rounded_rectangle(
        [w // 2 - bar // 2, h // 5, w // 2 + bar // 2, h * 4 // 5],
        radius=bar // 2,
        fill="white",
    )
    draw.rounded_rectangle(
        [w // 5, h // 2 - bar // 2, w * 4 // 5, h // 2 + bar // 2],
        radius=bar // 2,
        fill="white",
    )
    return image


def landscape(colour, size, seed):
    """Soft hills under a pale sky, in shades of the brand colour."""
    image = Image.new("RGB", size, blend(colour, (255, 255, 255), 0.85))
    draw = ImageDraw.Draw(image)
    w, h = size
    for layer in range(4):
        shade = blend(colour, (255, 255, 255), 0.6 - layer * 0.18)
        top = h * (0.45 + 0.12 * layer)
        offset = (seed * 97 + layer * 53) % w
        points = [(0, h)]
        for x in range(0, w + 40, 40):
            wave = ((x + offset) % (w // 2)) / (w // 2)
            y = top - h * 0.08 * (1 - abs(2 * wave - 1))
            points.append((x, y))
        points.append((w, h))
        draw.polygon(points, fill=shade)
    sun = blend(colour, (255, 230, 150), 0.7)
    r = h // 9
    cx, cy = w * (0.7 + 0.1 * (seed % 2)), h * 0.28
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=sun)
    return image


def as_wagtail_image(picture, title, collection, alt=""):
    """The picture as a Wagtail image in the clinic's collection, reused if
    one with this title is there already."""
    model = get_image_model()
    existing = model.objects.filter(title=title, collection=collection).first()
    if existing is not None:
        return existing
    buffer = BytesIO()
    picture.save(buffer, "PNG")
    name = title.lower().replace(" ", "-").replace("’", "") + ".png"
    image = model(title=title, collection=collection, file=ImageFile(buffer, name=name))
    if hasattr(image, "description"):
        image.description = alt
    image.save()
    return image


def clinic_images(clinic_name, brand_colour, collection):
    colour = hex_to_rgb(brand_colour)
    return {
        "logo": as_wagtail_image(logo(colour), f"{clinic_name} logo", collection),
        "favicon": as_wagtail_image(
            logo(colour, (64, 64)), f"{clinic_name} icon", collection
        ),
        "social_image": as_wagtail_image(
            landscape(colour, (1200, 630), 1),
            f"{clinic_name} sharing image",
            collection,
        ),
        "home_hero": as_wagtail_image(
            landscape(colour, (1440, 600), 2), f"{clinic_name} home image", collection
        ),
        "treatment_hero": as_wagtail_image(
            landscape(colour, (1440, 810), 3),
            f"{clinic_name} treatment image",
            collection,
        ),
    }
