//! Decoding PNG and JPEG files to 8-bit RGB for `cargo xtask classify`, as
//! Pillow's `convert('RGB')` does: grey repeated, alpha dropped. (The page
//! lets the browser decode.)

use std::path::Path;

use playnet_models::preprocess::RgbImage;

use crate::util::{Result, fail};

/// The image at `path`, by its first bytes (PNG or JPEG).
pub fn decode(path: &Path) -> Result<RgbImage> {
    let bytes = std::fs::read(path).map_err(|e| fail!("cannot read {}: {e}", path.display()))?;
    let image = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(&bytes)
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        decode_jpeg(&bytes)
    } else {
        Err("neither PNG nor JPEG".to_string())
    };
    image.map_err(|e| fail!("cannot decode {}: {e}", path.display()))
}

fn decode_png(bytes: &[u8]) -> Result<RgbImage, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    // Palettes and low bit depths to 8-bit, 16-bit samples to their high byte.
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).map_err(|e| e.to_string())?;
    buffer.truncate(info.buffer_size());
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("an indexed PNG was not expanded".into()),
    };
    to_rgb(info.width as usize, info.height as usize, &buffer, channels)
}

fn decode_jpeg(bytes: &[u8]) -> Result<RgbImage, String> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let info = decoder.info().ok_or("no image information")?;
    let channels = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => 1,
        jpeg_decoder::PixelFormat::RGB24 => 3,
        other => return Err(format!("unsupported JPEG pixel format {other:?}")),
    };
    to_rgb(
        usize::from(info.width),
        usize::from(info.height),
        &pixels,
        channels,
    )
}

/// Interleaved samples of 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA)
/// channels to RGB.
fn to_rgb(
    width: usize,
    height: usize,
    samples: &[u8],
    channels: usize,
) -> Result<RgbImage, String> {
    let pixels = samples
        .chunks_exact(channels)
        .flat_map(|p| match channels {
            1 | 2 => [p[0], p[0], p[0]],
            _ => [p[0], p[1], p[2]],
        })
        .collect();
    RgbImage::new(width, height, pixels).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_and_alpha_become_rgb() {
        let grey = to_rgb(2, 1, &[10, 200], 1).unwrap();
        assert_eq!(grey.pixels, [10, 10, 10, 200, 200, 200]);
        let rgba = to_rgb(1, 1, &[1, 2, 3, 4], 4).unwrap();
        assert_eq!(rgba.pixels, [1, 2, 3]);
        assert!(to_rgb(2, 2, &[1, 2, 3], 3).is_err());
    }

    #[test]
    fn other_files_are_refused_by_name() {
        let path = crate::util::workspace_root().join("Cargo.toml");
        let err = decode(&path).unwrap_err().to_string();
        assert!(err.contains("Cargo.toml: neither PNG nor JPEG"), "{err}");
    }
}
