//! Photo processing: the type is read from the content (JPEG, PNG or WebP, whatever the
//! file is called), the picture is decoded within limits, turned upright by its EXIF
//! orientation and re-encoded, which drops EXIF (GPS position, camera, time) and every
//! other metadata; a thumbnail is made.

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoError {
    TooLarge,
    WrongType,
    /// It claims a supported type but cannot be decoded (broken, or over the pixel limits).
    Unreadable,
}

#[derive(Clone, Debug)]
pub struct Processed {
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
    pub thumb: Vec<u8>,
}

/// The longest side kept (a phone's 12 MP photo is plenty at this size for a repair).
const MAX_SIDE: u32 = 2560;
const THUMB_SIDE: u32 = 360;
/// The most pixels a photo may have: a 48-megapixel phone camera's, and some.
pub const MAX_PIXELS: u64 = 50_000_000;

pub fn process(raw: &[u8]) -> Result<Processed, PhotoError> {
    if raw.len() > super::MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = image::guess_format(raw).map_err(|_| PhotoError::WrongType)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) {
        return Err(PhotoError::WrongType);
    }
    let mut reader = ImageReader::with_format(Cursor::new(raw), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(200 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Unreadable)?;
    // The header's size, before decoding a pixel: a small file claiming a huge image (a
    // decompression bomb) is refused for the cost of reading its header.
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PhotoError::TooLarge);
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::Unreadable)?;
    img.apply_orientation(orientation);
    if img.width().max(img.height()) > MAX_SIDE {
        img = img.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Lanczos3);
    }
    // PNG stays PNG (screenshots, documents); photos become JPEG.
    let (mime, bytes) = if format == ImageFormat::Png {
        ("image/png", encode(&img, ImageFormat::Png)?)
    } else {
        ("image/jpeg", jpeg(&img, 85)?)
    };
    let thumb = jpeg(&img.thumbnail(THUMB_SIDE, THUMB_SIDE), 80)?;
    Ok(Processed { mime, width: img.width(), height: img.height(), bytes, thumb })
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, PhotoError> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).map_err(|_| PhotoError::Unreadable)?;
    Ok(out.into_inner())
}

fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    // JPEG has no alpha: flatten onto white.
    let rgb = DynamicImage::ImageRgb8(flatten(img));
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    rgb.write_with_encoder(encoder).map_err(|_| PhotoError::Unreadable)?;
    Ok(out)
}

fn flatten(img: &DynamicImage) -> image::RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = p[3] as u16;
        let mix = |c: u8| ((c as u16 * a + 255 * (255 - a)) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A JPEG with an EXIF segment carrying a GPS-looking marker and orientation 6 (90° CW).
    pub fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
        let img =
            DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, _| image::Rgb([(x % 255) as u8, 80, 160])));
        let plain = jpeg(&img, 90).unwrap();
        // TIFF header (little endian), one IFD entry: Orientation (0x0112) SHORT 1 = 6,
        // followed by a recognisable string standing for GPS data.
        let mut tiff = vec![b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0];
        tiff.extend_from_slice(b"GPS-39.8897N-116.3500E");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1, (len >> 8) as u8, len as u8];
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn exif_is_stripped_and_orientation_applied() {
        let raw = jpeg_with_exif(40, 20);
        assert!(contains(&raw, b"Exif") && contains(&raw, b"GPS-39"));
        let p = process(&raw).unwrap();
        assert_eq!(p.mime, "image/jpeg");
        assert!(!contains(&p.bytes, b"Exif"), "no EXIF left");
        assert!(!contains(&p.bytes, b"GPS-39"));
        assert!(!contains(&p.thumb, b"Exif"));
        // Orientation 6 turns the 40×20 picture upright: 20×40.
        assert_eq!((p.width, p.height), (20, 40));
    }

    #[test]
    fn type_comes_from_content_not_name() {
        assert_eq!(process(b"%PDF-1.7 not a picture").unwrap_err(), PhotoError::WrongType);
        assert_eq!(process(b"GIF89a\x01\x00\x01\x00").unwrap_err(), PhotoError::WrongType);
        let png = encode(&DynamicImage::ImageRgba8(image::RgbaImage::new(8, 8)), ImageFormat::Png).unwrap();
        let p = process(&png).unwrap();
        assert_eq!(p.mime, "image/png");
        // A truncated JPEG is refused, not stored.
        let broken = &jpeg_with_exif(40, 20)[..60];
        assert_eq!(process(broken).unwrap_err(), PhotoError::Unreadable);
    }

    #[test]
    fn a_small_file_claiming_a_huge_picture_is_refused_before_decoding() {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut c = 0xFFFF_FFFFu32;
            for b in bytes {
                c ^= u32::from(*b);
                for _ in 0..8 {
                    c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
                }
            }
            !c
        }
        let mut png = encode(&DynamicImage::ImageRgb8(image::RgbImage::new(8, 8)), ImageFormat::Png).unwrap();
        // IHDR: width and height claim 10,000 × 6,000 (60 megapixels) in a file of a few bytes.
        png[16..20].copy_from_slice(&10_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&6_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(png.len() < 1_000);
        assert_eq!(process(&png).unwrap_err(), PhotoError::TooLarge);
    }

    #[test]
    fn size_limit() {
        let big = vec![0xFFu8; super::super::MAX_PHOTO_BYTES + 1];
        assert_eq!(process(&big).unwrap_err(), PhotoError::TooLarge);
    }

    #[test]
    fn large_pictures_are_scaled_down_with_a_thumbnail() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(3000, 1000));
        let p = process(&jpeg(&img, 70).unwrap()).unwrap();
        assert_eq!((p.width, p.height), (2560, 853));
        let thumb = image::load_from_memory(&p.thumb).unwrap();
        assert_eq!(thumb.width(), 360);
    }
}
