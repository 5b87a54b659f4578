//! A POS written from reference section 1.5 alone, with the primitive crates (md-5, sha2, aes,
//! cbc, base64) and none of this project's auth code, so a passing test shows that an
//! independent implementation of the documented algorithm is accepted.

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest as _, Md5};
use serde_json::{Map, Value};
use sha2::Sha512;

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

/// The POS's secrets.
#[derive(Clone)]
pub struct PosKeys {
    pub business_code: String,
    pub serial: String,
}

impl PosKeys {
    fn password(&self, ts: i64) -> String {
        let date = jiff::Timestamp::from_second(ts)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%Y:%m:%d:%H:%M")
            .to_string();
        let mut token = format!("{}{}{}", self.business_code, self.serial, date);
        while token.chars().count() < 32 {
            token.push('0');
        }
        hex::encode(Md5::digest(token.as_bytes()))
    }

    fn aes_key(&self, ts: i64) -> [u8; 32] {
        let text = format!("{ts}___{}", self.password(ts));
        let mut key = [0u8; 32];
        key.copy_from_slice(&text.as_bytes()[..32]);
        key
    }

    /// `Authorization` header value for a payload (an object; `"key"` goes last).
    pub fn authorization(&self, ts: i64, payload: &Value) -> String {
        let encoded_key = STANDARD.encode(format!("{}{ts}", self.password(ts)));
        let mut signed: Map<String, Value> = payload.as_object().cloned().unwrap_or_default();
        signed.insert("key".into(), Value::String(encoded_key));
        let text = serde_json::to_string(&Value::Object(signed)).unwrap();
        let digest = Sha512::digest(STANDARD.encode(text).as_bytes());
        format!("Basic {}", hex::encode(digest))
    }

    /// The wire body `{"data":"iv:ct"}` for a plaintext.
    pub fn encrypt(&self, ts: i64, plaintext: &str) -> String {
        let iv: [u8; 16] = rand::random();
        let ct = Enc::new(&self.aes_key(ts).into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext.as_bytes());
        serde_json::json!({"data": format!("{}:{}", hex::encode(iv), hex::encode(ct))}).to_string()
    }

    /// Decrypts an answer's `data`.
    pub fn decrypt(&self, ts: i64, data: &str) -> Option<String> {
        let (iv, ct) = data.split_once(':')?;
        let iv: [u8; 16] = hex::decode(iv).ok()?.try_into().ok()?;
        let ct = hex::decode(ct).ok()?;
        let pt = Dec::new(&self.aes_key(ts).into(), &iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(&ct)
            .ok()?;
        String::from_utf8(pt).ok()
    }
}

/// What the POS got back.
#[derive(Debug, Clone)]
pub struct PosAnswer {
    pub status: u16,
    /// The decrypted body (or the plain one when the answer was not encrypted).
    pub body: Value,
    /// Whether the answer came encrypted.
    pub encrypted: bool,
}

/// A POS talking to one base URL (`http://ip:port/terminal/v1` on the LAN,
/// `http://relay/terminal/v1/{serial}` in the cloud).
#[derive(Clone)]
pub struct Pos {
    pub http: reqwest::Client,
    pub base: String,
    pub keys: PosKeys,
}

impl Pos {
    pub fn new(base: String, keys: PosKeys) -> Pos {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Pos {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(20))
                .build()
                .unwrap(),
            base,
            keys,
        }
    }

    /// Sends a signed, encrypted POST of `payload` to `route` at time `ts`.
    pub async fn post(&self, route: &str, payload: &Value, ts: i64) -> PosAnswer {
        let text = serde_json::to_string(payload).unwrap();
        let resp = self
            .http
            .post(format!("{}/{route}", self.base))
            .header("Authorization", self.keys.authorization(ts, payload))
            .header("timestamp", ts.to_string())
            .header("Content-Type", "application/json")
            .body(self.keys.encrypt(ts, &text))
            .send()
            .await
            .expect("the terminal answered");
        self.read(resp, ts).await
    }

    /// A signed GET (LAN abort): signed over the literal `{}`, no body.
    pub async fn get(&self, route: &str, ts: i64) -> PosAnswer {
        let resp = self
            .http
            .get(format!("{}/{route}", self.base))
            .header(
                "Authorization",
                self.keys.authorization(ts, &serde_json::json!({})),
            )
            .header("timestamp", ts.to_string())
            .send()
            .await
            .expect("the terminal answered");
        self.read(resp, ts).await
    }

    /// Sends raw headers and body, for tampering tests.
    pub async fn raw(
        &self,
        route: &str,
        authorization: Option<&str>,
        ts: Option<&str>,
        body: String,
    ) -> PosAnswer {
        let mut req = self.http.post(format!("{}/{route}", self.base)).body(body);
        if let Some(a) = authorization {
            req = req.header("Authorization", a);
        }
        if let Some(t) = ts {
            req = req.header("timestamp", t);
        }
        let resp = req.send().await.expect("the terminal answered");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        PosAnswer {
            status,
            body,
            encrypted: false,
        }
    }

    async fn read(&self, resp: reqwest::Response, ts: i64) -> PosAnswer {
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        match body.get("data").and_then(Value::as_str) {
            Some(data) => {
                let text = self
                    .keys
                    .decrypt(ts, data)
                    .expect("the answer decrypts with the request's timestamp");
                PosAnswer {
                    status,
                    body: serde_json::from_str(&text).unwrap(),
                    encrypted: true,
                }
            }
            None => PosAnswer {
                status,
                body,
                encrypted: false,
            },
        }
    }
}
