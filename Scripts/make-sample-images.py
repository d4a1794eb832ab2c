#!/usr/bin/env python3
"""Draws the mock server's sample identity-verification images (run once; the output is committed).

A synthetic ID-card specimen (front and back, JPEG) and a selfie placeholder (PNG), for the demo signers
of the default fixtures. Nothing here depicts a real person or a real document. Needs Pillow.
Usage: Scripts/make-sample-images.py Sources/BoldSignMockServer/SampleImages
"""
import sys
from pathlib import Path
from PIL import Image, ImageDraw, ImageFont

out = Path(sys.argv[1] if len(sys.argv) > 1 else "Sources/BoldSignMockServer/SampleImages")
font = ImageFont.load_default(size=18)
small = ImageFont.load_default(size=14)
big = ImageFont.load_default(size=24)

def card():
    image = Image.new("RGB", (640, 404), (226, 236, 244))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 635, 399), radius=24, outline=(40, 70, 110), width=4)
    draw.rectangle((4, 28, 635, 70), fill=(40, 70, 110))
    return image, draw

front, draw = card()
draw.text((24, 36), "IDENTITY CARD  -  SPECIMEN  -  NOT VALID", font=big, fill="white")
draw.rectangle((28, 96, 188, 300), fill=(190, 200, 210), outline=(90, 100, 110), width=2)
draw.ellipse((73, 120, 143, 190), fill=(120, 130, 140))
draw.pieslice((48, 190, 168, 310), 180, 360, fill=(120, 130, 140))
for row, (label, value) in enumerate([("SURNAME", "GAYLE"), ("GIVEN NAMES", "ALEX"), ("DATE OF BIRTH", "12 MAY 1988"),
                                      ("DOCUMENT NO.", "X1007919"), ("EXPIRES", "02 FEB 2030"), ("COUNTRY", "UTOPIA (SPECIMEN)")]):
    draw.text((212, 90 + row * 40), label, font=small, fill=(70, 80, 90))
    draw.text((212, 106 + row * 40), value, font=font, fill=(10, 20, 30))
draw.text((28, 360), "BoldSign mock server sample image - synthetic data", font=small, fill=(70, 80, 90))
front.save(out / "id-card-front.jpg", quality=80, optimize=True)

back, draw = card()
draw.text((24, 36), "SPECIMEN  -  BACK", font=big, fill="white")
for i in range(0, 560, 7):
    draw.rectangle((40 + i, 110, 40 + i + (i * 7919 % 4) + 1, 200), fill=(20, 20, 20))
draw.rectangle((4, 290, 635, 399), fill=(250, 250, 250))
for row, line in enumerate(["IDUTO<X1007919<<<<<<<<<<<<<<<", "8805127F3002024UTO<<<<<<<<<<<6", "GAYLE<<ALEX<<<<<<<<<<<<<<<<<<<"]):
    draw.text((40, 300 + row * 30), line, font=big, fill=(10, 10, 10))
back.save(out / "id-card-back.jpg", quality=80, optimize=True)

selfie = Image.new("RGB", (320, 400), (214, 222, 230))
draw = ImageDraw.Draw(selfie)
draw.ellipse((100, 70, 220, 200), fill=(150, 160, 170))
draw.pieslice((50, 210, 270, 480), 180, 360, fill=(150, 160, 170))
draw.text((70, 370), "SELFIE PLACEHOLDER", font=small, fill=(60, 70, 80))
selfie.quantize(colors=16).save(out / "selfie.png", optimize=True)
