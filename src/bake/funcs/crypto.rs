//! Hash, bcrypt, RSA and UUID functions (go-cty-funcs crypto and uuid).

use md5::{Digest as _, Md5};
use rsa::PrivateKey as RsaPrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use super::encoding::go_base64_decode;
use super::{PTy, Param, as_int, as_str, call_args, fixed_args};
use crate::bake::value::Value;

const STR: Param = Param::new("str", PTy::Str);

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

fn one_str(args: &[Value]) -> Result<String, String> {
    Ok(as_str(&fixed_args(args, &[STR])?[0]).to_string())
}

pub fn md5(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(hex(&Md5::digest(one_str(args)?.as_bytes()))))
}

pub fn sha1(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(hex(&Sha1::digest(one_str(args)?.as_bytes()))))
}

pub fn sha256(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(hex(&Sha256::digest(
        one_str(args)?.as_bytes(),
    ))))
}

pub fn sha512(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(hex(&Sha512::digest(
        one_str(args)?.as_bytes(),
    ))))
}

/// x/crypto/bcrypt's GenerateFromPassword: `$2a$` hashes, costs below 4 mean 10.
pub fn bcrypt(args: &[Value]) -> Result<Value, String> {
    let a = call_args(args, &[STR], Some(Param::new("cost", PTy::Num)))?;
    let mut cost = 10;
    if a.len() > 1 {
        cost = as_int(&a[1])?;
    }
    if a.len() > 2 {
        return Err("bcrypt() takes no more than two arguments".into());
    }
    let input = as_str(&a[0]);
    let gen_err = |e: &str| format!("error occured generating password {e}");
    if input.len() > 72 {
        return Err(gen_err("bcrypt: password length exceeds 72 bytes"));
    }
    if cost < 4 {
        cost = 10;
    }
    if cost > 31 {
        return Err(gen_err(&format!(
            "crypto/bcrypt: cost {cost} is outside allowed range (4,31)"
        )));
    }
    let parts =
        ::bcrypt::hash_with_result(input, cost as u32).map_err(|e| gen_err(&e.to_string()))?;
    Ok(Value::string(
        parts.format_for_version(::bcrypt::Version::TwoA),
    ))
}

/// Go's pem.Decode, reduced to what rsadecrypt needs: the first block's
/// headers and base64 body.
type PemBlock = (Vec<(String, String)>, Vec<u8>);

fn pem_decode(s: &str) -> Option<PemBlock> {
    let start = s.find("-----BEGIN ")?;
    let rest = &s[start..];
    let mut lines = rest.lines();
    let begin = lines.next()?;
    if !begin.trim_end().ends_with("-----") {
        return None;
    }
    let mut headers = vec![];
    let mut body = String::new();
    for line in lines {
        let line = line.trim();
        if line.starts_with("-----END ") {
            return go_base64_decode(&body).map(|b| (headers, b));
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        } else {
            body.push_str(line);
        }
    }
    None
}

pub fn rsadecrypt(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("ciphertext", PTy::Str),
            Param::new("privatekey", PTy::Str),
        ],
    )?;
    let s = as_str(&a[0]);
    let ct = go_base64_decode(s).ok_or_else(|| {
        format!("failed to decode input \"{s}\": cipher text must be base64-encoded")
    })?;
    let (headers, der) = pem_decode(as_str(&a[1])).ok_or("failed to parse key: no key found")?;
    if headers
        .iter()
        .any(|(k, v)| k == "Proc-Type" && v == "4,ENCRYPTED")
    {
        return Err("failed to parse key: password protected keys are not supported. Please decrypt the key prior to use".into());
    }
    let key = RsaPrivateKey::from_pkcs1_der(&der)
        .map_err(|_| "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)".to_string())?;
    let out = key
        .decrypt(rsa::Pkcs1v15Encrypt, &ct)
        .map_err(|_| "crypto/rsa: decryption error".to_string())?;
    String::from_utf8(out)
        .map(Value::string)
        .map_err(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

pub fn uuidv4(args: &[Value]) -> Result<Value, String> {
    fixed_args(args, &[])?;
    Ok(Value::string(uuid::Uuid::new_v4().to_string()))
}

pub fn uuidv5(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("namespace", PTy::Str),
            Param::new("name", PTy::Str),
        ],
    )?;
    let ns_str = as_str(&a[0]);
    let ns = match ns_str {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => parse_google_uuid(other).ok_or_else(|| {
            format!(
                "uuidv5() doesn't support namespace {other} (invalid UUID length: {})",
                other.len()
            )
        })?,
    };
    Ok(Value::string(
        uuid::Uuid::new_v5(&ns, as_str(&a[1]).as_bytes()).to_string(),
    ))
}

/// google/uuid's Parse: plain, braced, urn:uuid: prefixed or 32 hex digits.
fn parse_google_uuid(s: &str) -> Option<uuid::Uuid> {
    let body = match s.len() {
        36 => s,
        45 if s
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("urn:uuid:")) =>
        {
            &s[9..]
        }
        38 if s.starts_with('{') && s.ends_with('}') => &s[1..37],
        32 => return uuid::Uuid::try_parse(s).ok(),
        _ => return None,
    };
    let b = body.as_bytes();
    if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    uuid::Uuid::try_parse(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn hashes() {
        assert_eq!(
            md5(&[s("tada")]).unwrap(),
            s("ce47d07243bb6eaf5e1322c81baf9bbf")
        );
        assert_eq!(
            md5(&[s("")]).unwrap(),
            s("d41d8cd98f00b204e9800998ecf8427e")
        );
        assert_eq!(
            sha1(&[s("test")]).unwrap(),
            s("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3")
        );
        assert_eq!(
            sha256(&[s("test")]).unwrap(),
            s("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        );
        assert_eq!(
            sha512(&[s("test")]).unwrap(),
            s(
                "ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff"
            )
        );
        assert!(md5(&[Value::Null]).is_err());
    }

    #[test]
    fn bcrypt_hash() {
        let Value::String(h) = bcrypt(&[s("test"), crate::bake::value::num(4.0)]).unwrap() else {
            panic!()
        };
        assert!(h.starts_with("$2a$04$"), "{h}");
        assert!(::bcrypt::verify("test", &h).unwrap());
        assert!(
            bcrypt(&[
                s("test"),
                crate::bake::value::num(4.0),
                crate::bake::value::num(5.0)
            ])
            .is_err()
        );
        assert!(
            bcrypt(&[s("test"), crate::bake::value::num(32.0)])
                .unwrap_err()
                .contains("outside allowed range")
        );
    }

    const PRIVATE_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAgUElV5mwqkloIrM8ZNZ72gSCcnSJt7+/Usa5G+D15YQUAdf9
c1zEekTfHgDP+04nw/uFNFaE5v1RbHaPxhZYVg5ZErNCa/hzn+x10xzcepeS3KPV
Xcxae4MR0BEegvqZqJzN9loXsNL/c3H/B+2Gle3hTxjlWFb3F5qLgR+4Mf4ruhER
1v6eHQa/nchi03MBpT4UeJ7MrL92hTJYLdpSyCqmr8yjxkKJDVC2uRrr+sTSxfh7
r6v24u/vp/QTmBIAlNPgadVAZw17iNNb7vjV7Gwl/5gHXonCUKURaV++dBNLrHIZ
pqcAM8wHRph8mD1EfL9hsz77pHewxolBATV+7QIDAQABAoIBAC1rK+kFW3vrAYm3
+8/fQnQQw5nec4o6+crng6JVQXLeH32qXShNf8kLLG/Jj0vaYcTPPDZw9JCKkTMQ
0mKj9XR/5DLbBMsV6eNXXuvJJ3x4iKW5eD9WkLD4FKlNarBRyO7j8sfPTqXW7uat
NxWdFH7YsSRvNh/9pyQHLWA5OituidMrYbc3EUx8B1GPNyJ9W8Q8znNYLfwYOjU4
Wv1SLE6qGQQH9Q0WzA2WUf8jklCYyMYTIywAjGb8kbAJlKhmj2t2Igjmqtwt1PYc
pGlqbtQBDUiWXt5S4YX/1maIQ/49yeNUajjpbJiH3DbhJbHwFTzP3pZ9P9GHOzlG
kYR+wSECgYEAw/Xida8kSv8n86V3qSY/I+fYQ5V+jDtXIE+JhRnS8xzbOzz3v0WS
Oo5H+o4nJx5eL3Ghb3Gcm0Jn46dHrxinHbm+3RjXv/X6tlbxIYjRSQfHOTSMCTvd
qcliF5vC6RCLXuc7R+IWR1Ky6eDEZGtrvt3DyeYABsp9fRUFR/6NluUCgYEAqNsw
1aSl7WJa27F0DoJdlU9LWerpXcazlJcIdOz/S9QDmSK3RDQTdqfTxRmrxiYI9LEs
mkOkvzlnnOBMpnZ3ZOU5qIRfprecRIi37KDAOHWGnlC0EWGgl46YLb7/jXiWf0AG
Y+DfJJNd9i6TbIDWu8254/erAS6bKMhW/3q7f2kCgYAZ7Id/BiKJAWRpqTRBXlvw
BhXoKvjI2HjYP21z/EyZ+PFPzur/lNaZhIUlMnUfibbwE9pFggQzzf8scM7c7Sf+
mLoVSdoQ/Rujz7CqvQzi2nKSsM7t0curUIb3lJWee5/UeEaxZcmIufoNUrzohAWH
BJOIPDM4ssUTLRq7wYM9uQKBgHCBau5OP8gE6mjKuXsZXWUoahpFLKwwwmJUp2vQ
pOFPJ/6WZOlqkTVT6QPAcPUbTohKrF80hsZqZyDdSfT3peFx4ZLocBrS56m6NmHR
UYHMvJ8rQm76T1fryHVidz85g3zRmfBeWg8yqT5oFg4LYgfLsPm1gRjOhs8LfPvI
OLlRAoGBAIZ5Uv4Z3s8O7WKXXUe/lq6j7vfiVkR1NW/Z/WLKXZpnmvJ7FgxN4e56
RXT7GwNQHIY8eDjDnsHxzrxd+raOxOZeKcMHj3XyjCX3NHfTscnsBPAGYpY/Wxzh
T8UYnFu6RzkixElTf2rseEav7rkdKkI3LAeIZy7B0HulKKsmqVQ7
-----END RSA PRIVATE KEY-----
";
    const CIPHER: &str = "eczGaDhXDbOFRZGhjx2etVzWbRqWDlmq0bvNt284JHVbwCgObiuyX9uV0LSAMY707IEgMkExJqXmsB4OWKxvB7epRB9G/3+F+pcrQpODlDuL9oDUAsa65zEpYF0Wbn7Oh7nrMQncyUPpyr9WUlALl0gRWytOA23S+y5joa4M34KFpawFgoqTu/2EEH4Xl1zo+0fy73fEto+nfkUY+meuyGZ1nUx/+DljP7ZqxHBFSlLODmtuTMdswUbHbXbWneW51D7Jm7xB8nSdiA2JQNK5+Sg5x8aNfgvFTt/m2w2+qpsyFa5Wjeu6fZmXSl840CA07aXbk9vN4I81WmJyblD/ZA==";

    #[test]
    fn rsa_decrypt() {
        assert_eq!(
            rsadecrypt(&[s(CIPHER), s(PRIVATE_KEY)]).unwrap(),
            s("message")
        );
        assert_eq!(
            rsadecrypt(&[s("bad"), s(PRIVATE_KEY)]).unwrap_err(),
            "failed to decode input \"bad\": cipher text must be base64-encoded"
        );
        assert_eq!(
            rsadecrypt(&[s(CIPHER), s("nokey")]).unwrap_err(),
            "failed to parse key: no key found"
        );
    }

    #[test]
    fn uuids() {
        let Value::String(u) = uuidv4(&[]).unwrap() else {
            panic!()
        };
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(
            uuidv5(&[s("dns"), s("tada")]).unwrap(),
            s("faa898db-9b9d-5b75-86a9-149e7bb8e3b8")
        );
        assert_eq!(
            uuidv5(&[s("url"), s("tada")]).unwrap(),
            s("2c1ff6b4-211f-577e-94de-d978b0caa16e")
        );
        assert_eq!(
            uuidv5(&[s("oid"), s("tada")]).unwrap(),
            s("61eeea26-5176-5288-87fc-232d6ed30d2f")
        );
        assert_eq!(
            uuidv5(&[s("x500"), s("tada")]).unwrap(),
            s("7e12415e-f7c9-57c3-9e43-52dc9950d264")
        );
        assert_eq!(
            uuidv5(&[s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), s("tada")]).unwrap(),
            s("faa898db-9b9d-5b75-86a9-149e7bb8e3b8")
        );
        assert!(
            uuidv5(&[s("tada"), s("tada")])
                .unwrap_err()
                .contains("doesn't support namespace tada")
        );
    }
}
