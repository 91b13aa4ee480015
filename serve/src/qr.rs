//! Solana Pay / Solana Actions links and their QR codes (SVG and PNG), for the desk of a
//! clinic: the patient scans it and the wallet fetches the decision to sign.

use qrcode::{EcLevel, QrCode};

/// A Solana Pay transaction request URL: `solana:` and the https link, percent-encoded when it
/// has a query (as the Solana Pay spec requires).
pub fn solana_pay_url(link: &str) -> String {
    if link.contains('?') {
        format!("solana:{}", crate::actions::encode(link))
    } else {
        format!("solana:{link}")
    }
}

/// A Solana Action URL (`solana-action:` and the link, encoded the same way).
pub fn action_url(link: &str) -> String {
    format!("solana-action:{}", crate::actions::encode(link))
}

/// The action link of a decision on a grant: `{base}/api/actions/consent/{kind}?grant=…`.
pub fn decision_link(
    base: &str,
    kind: &str,
    grant: &caretrail_sdk::solana_sdk::pubkey::Pubkey,
) -> String {
    format!(
        "{}/api/actions/consent/{kind}?grant={grant}",
        base.trim_end_matches('/')
    )
}

/// Writes the QR code of `text` as `path` with the extensions .png and .svg; returns both
/// paths.
pub fn write(
    path: &std::path::Path,
    text: &str,
) -> Result<(std::path::PathBuf, std::path::PathBuf), String> {
    let stem = match path.extension().and_then(|e| e.to_str()) {
        Some("png" | "svg" | "PNG" | "SVG") => path.with_extension(""),
        _ => path.to_path_buf(),
    };
    let png_path = stem.with_extension("png");
    let svg_path = stem.with_extension("svg");
    let write = |p: &std::path::Path, bytes: &[u8]| {
        std::fs::write(p, bytes).map_err(|e| format!("writing {}: {e}", p.display()))
    };
    write(&png_path, &png(text, 8)?)?;
    write(&svg_path, svg(text)?.as_bytes())?;
    Ok((png_path, svg_path))
}

fn code(text: &str) -> Result<QrCode, String> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| format!("cannot draw a QR code of {} bytes: {e}", text.len()))
}

/// The QR code of `text` as an SVG document.
pub fn svg(text: &str) -> Result<String, String> {
    Ok(code(text)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build())
}

/// The QR code of `text` as a grayscale PNG, `scale` pixels per module, 4 modules of margin.
pub fn png(text: &str, scale: u32) -> Result<Vec<u8>, String> {
    let code = code(text)?;
    let width = code.width() as u32;
    let colors = code.to_colors();
    let scale = scale.max(1);
    let margin = 4;
    let side = (width + 2 * margin) * scale;
    let mut pixels = vec![255u8; (side * side) as usize];
    for (i, c) in colors.iter().enumerate() {
        if *c != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i as u32 % width, i as u32 / width);
        for dy in 0..scale {
            for dx in 0..scale {
                let x = (mx + margin) * scale + dx;
                let y = (my + margin) * scale + dy;
                pixels[(y * side + x) as usize] = 0;
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_with_a_query_is_encoded() {
        assert_eq!(
            solana_pay_url("https://clinic.example/api/actions/consent/approve?grant=abc"),
            "solana:https%3A%2F%2Fclinic.example%2Fapi%2Factions%2Fconsent%2Fapprove%3Fgrant%3Dabc"
        );
        assert_eq!(
            solana_pay_url("https://clinic.example/a"),
            "solana:https://clinic.example/a"
        );
    }

    #[test]
    fn the_png_decodes_back_to_the_url() {
        let url = solana_pay_url("https://clinic.example/api/actions/consent/approve?grant=7Xr9YvWkZ3r1h3gW7bqBf3Jg3GHVh4ZcR8tqWg9gmQzF");
        let bytes = png(&url, 6).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, url);
        assert!(svg(&url).unwrap().starts_with("<?xml"));
    }
}
