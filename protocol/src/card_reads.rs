//! The fake card reads of a terminal (harness-defined H12), shared by the mock terminal and the
//! conformance steps that play a terminal app on the raw API.
//!
//! The card data is fake but well-formed: clear BER-TLV hex in `enc_tlv` (tags 5A, 57, 5F24,
//! 9F02, 5F2A, 9F1A, 9A, 9C, 9F26, 9F27, 82, 95, 9F36, 9F37, 9F06, 84), a clear track 2 with `=`
//! written `D`, 20-hex-digit KSNs, and a PIN block for online PIN. The mock acquirer reads the PAN
//! from it to learn the brand; nothing here is encrypted, and the journals mask it all the same.

use std::sync::atomic::{AtomicU32, Ordering};

use jiff::Timestamp;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};

use crate::catalog::TestCard;
use crate::mask::Sensitive;
use crate::money::{Amount, Currency};
use crate::raw::{CardDetails, Country, ReadingType, Tracks};

/// The PIN the cardholder enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Pin {
    /// The right PIN (online PIN block sent).
    Ok,
    /// A wrong PIN: the card refuses it and the terminal declines (55) without asking the acquirer.
    Wrong,
    /// No PIN (contactless under the limit, signature).
    #[default]
    None,
}

/// The KSNs of one device: `FFFF`, a device id from the serial, and a transaction counter.
#[derive(Debug, Default)]
pub struct KsnCounter {
    counter: AtomicU32,
}

impl KsnCounter {
    /// A fresh KSN for the device `serial`.
    pub fn next(&self, serial: &str) -> String {
        let counter = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let device: u32 = serial
            .bytes()
            .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
        let mut ksn = String::with_capacity(20);
        ksn.push_str("FFFF");
        push_hex_upper(&mut ksn, &device.to_be_bytes());
        push_hex_upper(&mut ksn, &(counter & 0x001F_FFFF).to_be_bytes());
        ksn
    }
}

/// ISO 4217 numeric code.
fn currency_numeric(c: Currency) -> &'static str {
    match c {
        Currency::Pen => "0604",
        Currency::Usd => "0840",
        Currency::Mxn => "0484",
        Currency::Clp => "0152",
        Currency::Cop => "0170",
    }
}

/// ISO 3166 numeric code.
fn country_numeric(c: Country) -> &'static str {
    match c {
        Country::Peru => "0604",
        Country::Mexico => "0484",
        Country::Chile => "0152",
        Country::Colombia => "0170",
    }
}

/// Appends the uppercase hex of `bytes` (no `format!`: card data is built per transaction).
fn push_hex_upper(out: &mut String, bytes: &[u8]) {
    out.push_str(&hex::encode_upper(bytes));
}

/// Appends one BER-TLV item: the tag, the value's length in bytes as (at least) two uppercase
/// hex digits, and the value.
fn push_tlv(out: &mut String, tag: &str, value_hex: &str) {
    out.push_str(tag);
    let len = value_hex.len() / 2;
    match u8::try_from(len) {
        Ok(len) => push_hex_upper(out, &[len]),
        Err(_) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{len:02X}");
        }
    }
    out.push_str(value_hex);
}

/// A BER-TLV item whose value is `N` random bytes.
fn push_random_tlv<const N: usize>(out: &mut String, tag: &str) {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    let mut value = String::with_capacity(2 * N);
    push_hex_upper(&mut value, &bytes);
    push_tlv(out, tag, &value);
}

fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    let mut out = String::with_capacity(2 * N);
    push_hex_upper(&mut out, &bytes);
    out
}

/// The UTC date of `now` as `YYMMDD` (EMV tag 9A), what `strftime("%y%m%d")` writes for years
/// 1970 to 9999.
fn yymmdd(now: Timestamp) -> String {
    let date = jiff::tz::TimeZone::UTC.to_datetime(now).date();
    let mut out = String::with_capacity(6);
    for n in [
        i32::from(date.year()).rem_euclid(100),
        i32::from(date.month()),
        i32::from(date.day()),
    ] {
        let n = n.unsigned_abs();
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    out
}

/// The card's expiry as `YYMM` from the catalog's `MM/YY`.
fn expiry_yymm(card: &TestCard) -> String {
    let (mm, yy) = card.expiry.split_once('/').unwrap_or(("12", "30"));
    format!("{yy}{mm}")
}

/// The clear track 2 of a card, `=` written `D` (add §6.2).
pub fn track2(card: &TestCard) -> String {
    format!("{}D{}2010000000000", card.pan.expose(), expiry_yymm(card))
}

/// `card_details` for a read (ref §2.4): what a Sunmi terminal would send, unencrypted, its KSNs
/// counted by `ksns`.
#[allow(clippy::too_many_arguments)]
pub fn card_details(
    ksns: &KsnCounter,
    serial: &str,
    card: &TestCard,
    reading_type: ReadingType,
    pin: Pin,
    amount: Amount,
    country: Country,
    now: Timestamp,
) -> CardDetails {
    let pan = card.pan.expose();
    let t2 = track2(card);
    let aid = match card.franchise.as_str() {
        "MASTERCARD" => "A0000000041010",
        "AMEX" => "A00000002501",
        _ => "A0000000031010",
    };
    // Written into one buffer (the items in tag order, odd-length values padded with `F`).
    let mut emv = String::with_capacity(256);
    let mut value = String::with_capacity(40);
    let padded = |value: &mut String, text: &str| {
        value.clear();
        value.push_str(text);
        if text.len() % 2 == 1 {
            value.push('F');
        }
    };
    padded(&mut value, pan);
    push_tlv(&mut emv, "5A", &value);
    padded(&mut value, &t2);
    push_tlv(&mut emv, "57", &value);
    value.clear();
    value.push_str(&expiry_yymm(card));
    value.push_str("31");
    push_tlv(&mut emv, "5F24", &value);
    value.clear();
    {
        use std::fmt::Write as _;
        let _ = write!(value, "{:012}", amount.minor_units());
    }
    push_tlv(&mut emv, "9F02", &value);
    push_tlv(&mut emv, "5F2A", currency_numeric(amount.currency()));
    push_tlv(&mut emv, "9F1A", country_numeric(country));
    push_tlv(&mut emv, "9A", &yymmdd(now));
    push_tlv(&mut emv, "9C", "00");
    push_random_tlv::<8>(&mut emv, "9F26");
    push_tlv(&mut emv, "9F27", "80");
    push_tlv(&mut emv, "82", "5800");
    push_tlv(&mut emv, "95", "0000000000");
    push_random_tlv::<2>(&mut emv, "9F36");
    push_random_tlv::<4>(&mut emv, "9F37");
    push_tlv(&mut emv, "9F06", aid);
    push_tlv(&mut emv, "84", aid);
    let track_ksn = ksns.next(serial);
    let mcr = reading_type == ReadingType::Mcr;
    let enc_track1 = mcr.then(|| {
        Sensitive::new(hex::encode_upper(format!(
            "%B{pan}^{}^{}2010000000?",
            card.holder_name.to_uppercase(),
            expiry_yymm(card)
        )))
    });
    let (pin_block, pin_ksn) = if pin == Pin::Ok {
        (
            Some(Sensitive::new(random_hex::<8>())),
            Some(ksns.next(serial)),
        )
    } else {
        (None, None)
    };
    CardDetails {
        reading_type,
        // A magstripe read has no chip data.
        enc_tlv: (!mcr).then(|| Sensitive::new(emv)),
        tracks: Some(Tracks {
            enc_track1,
            enc_track2: Some(Sensitive::new(t2)),
            track_ksn: Some(track_ksn),
            track_ksn_desc: None,
            track2_length: None,
        }),
        pin_block,
        pin_ksn,
        pin_ksn_desc: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    #[test]
    fn the_tlv_date_is_what_strftime_writes() {
        for ts in [0, 951_782_400, 1_709_251_199, 1_774_389_300, 4_102_444_799] {
            let now = Timestamp::from_second(ts).unwrap();
            assert_eq!(yymmdd(now), now.strftime("%y%m%d").to_string(), "{ts}");
        }
    }

    #[test]
    fn the_fake_card_data_is_read_back_by_a_tlv_parser_and_ksns_are_twenty_hex_digits() {
        let ksns = KsnCounter::default();
        let card = catalog::default_card();
        let d = serde_json::to_value(card_details(
            &ksns,
            "PB04209860189",
            card,
            ReadingType::Icc,
            Pin::Ok,
            Amount::from_minor(1250, Currency::Pen),
            Country::Peru,
            Timestamp::UNIX_EPOCH,
        ))
        .unwrap();
        let tlv = d["enc_tlv"].as_str().unwrap();
        assert!(
            tlv.starts_with(&format!("5A08{}", card.pan.expose())),
            "{tlv}"
        );
        let ksn = d["tracks"]["track_ksn"].as_str().unwrap();
        assert_eq!(ksn.len(), 20);
        assert!(ksn.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(d["pin_block"].is_string());
        let mcr = serde_json::to_value(card_details(
            &ksns,
            "S",
            card,
            ReadingType::Mcr,
            Pin::None,
            Amount::from_minor(1, Currency::Pen),
            Country::Peru,
            Timestamp::UNIX_EPOCH,
        ))
        .unwrap();
        assert!(mcr.get("enc_tlv").is_none());
        assert!(
            mcr["tracks"]["enc_track1"]
                .as_str()
                .unwrap()
                .chars()
                .all(|c| c.is_ascii_hexdigit())
        );
    }
}
