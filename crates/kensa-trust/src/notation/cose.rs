//! The COSE envelope (`application/cose`): a `COSE_Sign1_Tagged` whose protected
//! header holds `alg` (label 1), `crit` (2), the content type (3) and the Notary
//! Project's text-labelled parameters, with the chain in `x5chain` (label 33). Parsing
//! and the `Sig_structure` the signature covers are coset's; the Notary Project's
//! constraints on them are checked here.

use coset::cbor::value::Value;
use coset::iana::{self, EnumI64 as _};
use coset::{
    Algorithm, ContentType, CoseSign1, Label, RegisteredLabelWithPrivate,
    TaggedCborSerializable as _,
};

use super::envelope::{
    AUTHENTIC_SIGNING_TIME, Alg, EXPIRY, Envelope, SIGNING_SCHEME, SIGNING_TIME, Scheme,
    TIMESTAMP_SIGNATURE,
};

/// `x5chain`'s label.
const X5CHAIN: i64 = 33;

/// Parses a COSE envelope; the error is an integrity failure's reason.
pub(crate) fn parse(bytes: &[u8], max_chain: usize) -> Result<Envelope, String> {
    let sign1 = CoseSign1::from_tagged_slice(bytes)
        .map_err(|e| format!("the envelope is not a tagged COSE_Sign1: {e}"))?;
    let protected = &sign1.protected.header;
    let alg = match &protected.alg {
        Some(Algorithm::Assigned(iana::Algorithm::ES256)) => Alg::Es256,
        Some(Algorithm::Assigned(iana::Algorithm::ES384)) => Alg::Es384,
        Some(Algorithm::Assigned(iana::Algorithm::PS256)) => Alg::Ps256,
        Some(Algorithm::Assigned(iana::Algorithm::PS384)) => Alg::Ps384,
        Some(Algorithm::Assigned(iana::Algorithm::PS512)) => Alg::Ps512,
        Some(other) => {
            return Err(format!(
                "signature algorithm `{}` is not one kensa verifies",
                label_text(other)
            ));
        }
        None => return Err("the protected header has no `alg`".into()),
    };
    let crit = protected.crit.iter().map(label_text).collect();
    let content_type = protected.content_type.as_ref().map(|c| match c {
        ContentType::Text(t) => t.clone(),
        ContentType::Assigned(a) => format!("CoAP content format {}", a.to_i64()),
    });
    let text = |name: &str| -> Option<&Value> {
        protected
            .rest
            .iter()
            .find(|(l, _)| matches!(l, Label::Text(t) if t == name))
            .map(|(_, v)| v)
    };
    let scheme = match text(SIGNING_SCHEME) {
        Some(Value::Text(s)) => Scheme::parse(s)?,
        Some(_) => return Err(format!("`{SIGNING_SCHEME}` is not a text string")),
        None => return Err(format!("the protected header has no `{SIGNING_SCHEME}`")),
    };
    let time = |name: &str| -> Result<Option<i64>, String> {
        text(name).map(|v| epoch_time(name, v)).transpose()
    };
    // The chain is unprotected by default, protected optionally.
    let chain_value = sign1
        .unprotected
        .rest
        .iter()
        .chain(&protected.rest)
        .find(|(l, _)| *l == Label::Int(X5CHAIN))
        .map(|(_, v)| v)
        .ok_or("the envelope has no `x5chain` (label 33)")?;
    let chain = match chain_value {
        Value::Bytes(one) => vec![one.clone()],
        Value::Array(items) => items
            .iter()
            .take(max_chain + 1)
            .map(|v| match v {
                Value::Bytes(b) => Ok(b.clone()),
                _ => Err("an `x5chain` entry is not a byte string".to_owned()),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("`x5chain` is neither a byte string nor an array of them".into()),
    };
    let timestamped = sign1
        .unprotected
        .rest
        .iter()
        .any(|(l, _)| matches!(l, Label::Text(t) if t == TIMESTAMP_SIGNATURE));
    let payload = sign1
        .payload
        .clone()
        .ok_or("the payload is detached; Notary Project envelopes carry it")?;
    Ok(Envelope {
        alg,
        signed: sign1.tbs_data(b""),
        signature: sign1.signature.clone(),
        payload,
        content_type,
        crit,
        scheme,
        signing_time: time(SIGNING_TIME)?,
        authentic_signing_time: time(AUTHENTIC_SIGNING_TIME)?,
        expiry: time(EXPIRY)?,
        chain,
        timestamped,
    })
}

/// A label as a name: text labels as written, integer ones as their number.
fn label_text<T: coset::iana::EnumI64 + coset::iana::WithPrivateRange>(
    label: &RegisteredLabelWithPrivate<T>,
) -> String {
    match label {
        RegisteredLabelWithPrivate::Text(t) => t.clone(),
        RegisteredLabelWithPrivate::Assigned(a) => a.to_i64().to_string(),
        RegisteredLabelWithPrivate::PrivateUse(n) => n.to_string(),
    }
}

/// An RFC 8949 epoch-based date/time: tag 1 over an integer (a float's fraction, which
/// the spec advises against, is dropped).
fn epoch_time(name: &str, value: &Value) -> Result<i64, String> {
    let bad = || format!("`{name}` is not an epoch date/time (CBOR tag 1 over a number)");
    match value {
        Value::Tag(1, inner) => match inner.as_ref() {
            Value::Integer(i) => i64::try_from(*i).map_err(|_| bad()),
            Value::Float(f) if f.is_finite() && f.abs() < 1e15 => Ok(f.floor() as i64),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_untagged_envelopes_are_integrity_failures() {
        assert!(
            parse(b"\x01\x02", 10)
                .unwrap_err()
                .contains("not a tagged COSE_Sign1")
        );
        // An untagged COSE_Sign1: [h'', {}, h'', h''].
        assert!(parse(&[0x84, 0x40, 0xa0, 0x40, 0x40], 10).is_err());
    }

    #[test]
    fn times_are_tag_1_numbers() {
        let t = Value::Tag(1, Box::new(Value::Integer(1_667_411_812.into())));
        assert_eq!(epoch_time("x", &t), Ok(1_667_411_812));
        assert!(epoch_time("x", &Value::Integer(5.into())).is_err());
        assert!(epoch_time("x", &Value::Tag(1, Box::new(Value::Text("now".into())))).is_err());
    }
}
