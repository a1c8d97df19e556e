//! The SMS gateway: `log` writes the message to the server log (development, tests and
//! demo sites); `aliyun` sends it through Alibaba Cloud SMS (`SendSms`, RPC style,
//! signature version 1.0 with HMAC-SHA1, as Alibaba Cloud documents for its API).
//! Two kinds of message: verification codes, and notices (the notifications' SMS channel),
//! each with its own registered template.

use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Clone)]
pub enum SmsGateway {
    Log,
    Aliyun(Aliyun),
}

/// Alibaba Cloud SMS: the signature name and template are registered with the provider;
/// the template takes one parameter, `code`.
#[derive(Clone)]
pub struct Aliyun {
    /// `https://dysmsapi.aliyuncs.com/` in production; a local fake in tests.
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub sign_name: String,
    pub template_code: String,
    /// The notices' template, one parameter `text` (e.g. "${text}，详情请打开我的社区。");
    /// without it notices are not sent by SMS.
    pub notice_template_code: Option<String>,
    pub region_id: String,
}

/// Why a notice SMS did not go.
#[derive(Debug)]
pub enum NoticeError {
    /// The provider has no notice template configured: nothing to retry.
    NotConfigured,
    /// The provider could not be reached or refused: try again later.
    Failed(String),
}

// Never prints the secret (configuration is logged at startup).
impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SmsGateway::Log => write!(f, "log"),
            SmsGateway::Aliyun(a) => {
                write!(
                    f,
                    "aliyun({} key {} sign {} template {})",
                    a.endpoint, a.access_key_id, a.sign_name, a.template_code
                )
            }
        }
    }
}

/// One verification message.
pub struct Sms {
    pub phone: String,
    pub code: String,
    /// What the code is for, in the message's words (用于注册…).
    pub what: &'static str,
}

static GATEWAY: OnceLock<SmsGateway> = OnceLock::new();

/// Set once at startup from the configuration.
pub fn install(gateway: SmsGateway) {
    let _ = GATEWAY.set(gateway);
}

pub fn gateway() -> &'static SmsGateway {
    GATEWAY.get_or_init(|| SmsGateway::Log)
}

/// Are codes shown on the page? Only on a demo site whose messages go to the log.
pub fn shows_codes(demo_mode: bool) -> bool {
    demo_mode && gateway().is_log()
}

impl SmsGateway {
    pub fn is_log(&self) -> bool {
        matches!(self, SmsGateway::Log)
    }

    pub async fn send(&self, sms: &Sms) -> Result<(), String> {
        match self {
            SmsGateway::Log => {
                tracing::info!(target: "sms", "SMS to {}: code {} ({})", sms.phone, sms.code, sms.what);
                Ok(())
            }
            SmsGateway::Aliyun(a) => {
                let params = serde_json::json!({ "code": sms.code }).to_string();
                a.send(&sms.phone, &a.template_code, &params).await
            }
        }
    }

    /// Sends a notice (at most one segment; the caller shortens it).
    pub async fn send_notice(&self, phone: &str, text: &str) -> Result<(), NoticeError> {
        match self {
            SmsGateway::Log => {
                tracing::info!(target: "sms", "SMS to {phone}: notice {text}");
                Ok(())
            }
            SmsGateway::Aliyun(a) => {
                let Some(template) = &a.notice_template_code else { return Err(NoticeError::NotConfigured) };
                let params = serde_json::json!({ "text": text }).to_string();
                a.send(phone, template, &params).await.map_err(NoticeError::Failed)
            }
        }
    }
}

/// Percent-encoding as the signature wants it: RFC 3986, only `A-Z a-z 0-9 - _ . ~` kept.
fn encode(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    utf8_percent_encode(s, KEEP).to_string()
}

/// The signature of a request's parameters (without `Signature`): HMAC-SHA1 with the
/// secret and `&`, over `METHOD&%2F&` and the encoded, sorted, encoded query; base64.
pub fn signature(method: &str, params: &BTreeMap<String, String>, secret: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    let to_sign = format!("{method}&{}&{}", encode("/"), encode(&query.join("&")));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("any key length");
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The server's outbound client (the SMS provider, push services): 10 s, no redirects.
pub fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

impl Aliyun {
    /// The signed form of one `SendSms` call: a template and its parameters (JSON).
    pub fn signed_params(
        &self,
        phone: &str,
        template: &str,
        template_params: &str,
        nonce: &str,
        timestamp: &str,
    ) -> BTreeMap<String, String> {
        let mut p: BTreeMap<String, String> = [
            ("AccessKeyId", self.access_key_id.as_str()),
            ("Action", "SendSms"),
            ("Format", "JSON"),
            ("PhoneNumbers", phone),
            ("RegionId", self.region_id.as_str()),
            ("SignName", self.sign_name.as_str()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", template),
            ("Timestamp", timestamp),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        p.insert("TemplateParam".into(), template_params.to_string());
        let sig = signature("POST", &p, &self.access_key_secret);
        p.insert("Signature".into(), sig);
        p
    }

    async fn send(&self, phone: &str, template: &str, template_params: &str) -> Result<(), String> {
        let nonce = crate::security::new_token();
        let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let params = self.signed_params(phone, template, template_params, &nonce, &timestamp);
        let res = client()
            .post(&self.endpoint)
            .form(&params)
            .send()
            .await
            .map_err(|e| format!("SMS provider unreachable: {e}"))?;
        let status = res.status();
        let body: serde_json::Value =
            res.json().await.map_err(|e| format!("SMS provider answered {status} without JSON: {e}"))?;
        // `Code` is "OK" on success; otherwise it names the problem (isv.BUSINESS_LIMIT_CONTROL…).
        match body.get("Code").and_then(|c| c.as_str()) {
            Some("OK") => Ok(()),
            code => Err(format!(
                "SMS provider refused ({status}): {} {}",
                code.unwrap_or("?"),
                body.get("Message").and_then(|m| m.as_str()).unwrap_or("")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Alibaba Cloud's signature documentation (GET, XML, OutId).
    #[test]
    fn signature_matches_the_documented_example() {
        let p: BTreeMap<String, String> = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", "{\"customer\":\"test\"}"),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(signature("GET", &p, "testSecret"), "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    }

    #[test]
    fn encoding_keeps_only_unreserved() {
        assert_eq!(encode("a b*c~d/é"), "a%20b%2Ac~d%2F%C3%A9");
    }
}
