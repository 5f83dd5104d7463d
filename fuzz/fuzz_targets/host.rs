//! Host header normalization and classification on arbitrary input, with an extra endpoint
//! domain and a custom-domain table. A virtual-hosted or website bucket is always the first
//! label of the normalized host.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ossemu_api::host::{Addressing, classify, normalize};

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let host = normalize(&raw);
    let extra = ["minio.test".to_owned(), "Example.COM".to_owned()];
    let a = classify(&host, &extra, |h| {
        Ok::<_, ()>((h.len() % 2 == 0).then(|| "bound".to_owned()))
    })
    .unwrap();
    match &a {
        Addressing::VirtualHost(b) | Addressing::S3Website(b) => {
            assert_eq!(Some(b.as_str()), host.split('.').next(), "{host}");
        }
        Addressing::Path | Addressing::CustomDomain(_) => {}
    }
});
