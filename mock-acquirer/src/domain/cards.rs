//! What the acquirer can tell about the card from the request.
//!
//! Real terminals send DUKPT-encrypted TLV and tracks that only Kushki's HSM reads. The mock has
//! no keys (harness-defined H12): when the hex it gets happens to be clear BER-TLV (tag `5A` or
//! `57`) or a clear track 2 (`PAN D YYMM…`), as the mock terminal sends it, the PAN is read to
//! learn the brand, BIN and last four for answers, webhooks and searches; otherwise the card is
//! an unknown VISA. The PAN itself is never stored.

use kushki_protocol::catalog;
use kushki_protocol::raw::CardDetails;

/// Franchise names, indexed by [`CardInfo::brand`] (`franchise`, add §6.3 plus AMEX and DINERS).
pub const BRANDS: [&str; 5] = ["VISA", "MASTERCARD", "AMEX", "PROSA", "DINERS"];

/// What the acquirer learned about the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CardInfo {
    /// Index into [`BRANDS`].
    pub brand: u8,
    /// First six digits.
    pub bin: Option<u32>,
    /// Last four digits.
    pub last_four: Option<u16>,
}

impl CardInfo {
    /// The franchise name.
    pub fn franchise(&self) -> &'static str {
        BRANDS[usize::from(self.brand).min(BRANDS.len() - 1)]
    }
}

/// Reads what it can from the card details.
pub fn read(details: Option<&CardDetails>) -> CardInfo {
    let Some(d) = details else {
        return CardInfo::default();
    };
    let pan = d
        .enc_tlv
        .as_ref()
        .and_then(|tlv| pan_from_tlv(tlv.expose()))
        .or_else(|| {
            d.tracks
                .as_ref()
                .and_then(|t| t.enc_track2.as_ref())
                .and_then(|t2| pan_from_track2(t2.expose()))
        });
    match pan {
        Some(pan) => info_from_pan(&pan),
        None => CardInfo::default(),
    }
}

/// Brand, BIN and last four of a PAN.
pub fn info_from_pan(pan: &str) -> CardInfo {
    let bin = pan.get(..6).and_then(|b| b.parse().ok());
    let last_four = pan
        .get(pan.len().saturating_sub(4)..)
        .and_then(|l| l.parse().ok());
    let catalog_brand = catalog::test_cards()
        .iter()
        .find(|c| c.pan.expose() == pan)
        .map(|c| c.franchise.as_str());
    let brand = catalog_brand.unwrap_or(match pan.as_bytes() {
        [b'4', ..] => "VISA",
        [b'3', b'4' | b'7', ..] => "AMEX",
        [b'3', b'6' | b'8', ..] => "DINERS",
        [b'5' | b'2', ..] => "MASTERCARD",
        _ => "VISA",
    });
    CardInfo {
        brand: BRANDS.iter().position(|b| *b == brand).unwrap_or(0) as u8,
        bin,
        last_four,
    }
}

/// The PAN in a clear track 2 as hex (`=` written `D`, add §6.2).
pub fn pan_from_track2(hex_text: &str) -> Option<String> {
    let digits: String = hex_text
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let rest = &hex_text[digits.len()..];
    ((13..=19).contains(&digits.len()) && rest.starts_with(['D', 'd', '='])).then_some(digits)
}

/// The PAN in clear BER-TLV hex: tag `5A`, else the PAN part of tag `57`.
pub fn pan_from_tlv(hex_text: &str) -> Option<String> {
    // A terminal's TLV is a few hundred bytes: decoded on the stack, the rare longer one on the
    // heap.
    let mut buffer = [0u8; 512];
    let heap;
    let bytes: &[u8] = match buffer.get_mut(..hex_text.len() / 2) {
        Some(slot) if hex_text.len().is_multiple_of(2) => {
            hex::decode_to_slice(hex_text, slot).ok()?;
            slot
        }
        _ => {
            heap = hex::decode(hex_text).ok()?;
            &heap
        }
    };
    let mut found_57 = None;
    let mut stack = vec![bytes];
    while let Some(mut data) = stack.pop() {
        while !data.is_empty() {
            let (tag, constructed, rest) = read_tag(data)?;
            let (len, rest) = read_len(rest)?;
            let value = rest.get(..len)?;
            data = &rest[len..];
            if constructed {
                stack.push(value);
            } else if tag == [0x5A] {
                return bcd_digits(value).filter(|p| (13..=19).contains(&p.len()));
            } else if tag == [0x57] {
                found_57 = pan_from_track2(&hex::encode_upper(value));
            }
        }
    }
    found_57
}

fn read_tag(data: &[u8]) -> Option<(&[u8], bool, &[u8])> {
    let first = *data.first()?;
    let mut end = 1;
    if first & 0x1F == 0x1F {
        while data.get(end)? & 0x80 != 0 {
            end += 1;
        }
        end += 1;
    }
    Some((data.get(..end)?, first & 0x20 != 0, &data[end..]))
}

fn read_len(data: &[u8]) -> Option<(usize, &[u8])> {
    let first = *data.first()?;
    if first < 0x80 {
        return Some((usize::from(first), &data[1..]));
    }
    let n = usize::from(first & 0x7F);
    if n == 0 || n > 3 {
        return None;
    }
    let len = data
        .get(1..=n)?
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Some((len, &data[1 + n..]))
}

fn bcd_digits(value: &[u8]) -> Option<String> {
    let text = hex::encode_upper(value);
    let digits = text.trim_end_matches('F');
    digits
        .chars()
        .all(|c| c.is_ascii_digit())
        .then(|| digits.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_tlv_pan_gives_brand_bin_and_last_four() {
        // 5A 08 4111111111111111, inside a 70 template.
        let tlv = "700A5A084111111111111111";
        assert_eq!(pan_from_tlv(tlv).as_deref(), Some("4111111111111111"));
        let info = info_from_pan("5555555555554444");
        assert_eq!(info.franchise(), "MASTERCARD");
        assert_eq!(info.bin, Some(555555));
        assert_eq!(info.last_four, Some(4444));
    }

    #[test]
    fn a_clear_track2_gives_the_pan() {
        assert_eq!(
            pan_from_track2("4000000000000002D30122011234").as_deref(),
            Some("4000000000000002")
        );
        assert_eq!(
            pan_from_tlv("57114000000000000002D3012201123400000F").as_deref(),
            Some("4000000000000002")
        );
    }

    #[test]
    fn encrypted_data_yields_nothing_and_never_panics() {
        // The seed's encrypted TLV.
        let seed = "E9BCEC77FACD77F942E433BE6CD27068F09ADFA082B6AE478D9BDA4EEEAFD376";
        assert_eq!(pan_from_tlv(seed), None);
        assert_eq!(pan_from_track2("2C5E3DC796759FAB00BB11163CC4B69B"), None);
        assert_eq!(pan_from_tlv("zz"), None);
        assert_eq!(pan_from_tlv("9F"), None);
        assert_eq!(pan_from_tlv("5A85FFFFFFFFFF"), None);
    }
}
