//! rpm header blobs, Berkeley DB hash databases (`Packages`) and ndb stores
//! (`Packages.db`), read directly; each blob a database yields is decoded as a header.
//! (The SQLite rpmdb is reached through the `analyzer` target.)
#![no_main]

use kensa_pkg::os::{rpm_bdb, rpm_header, rpm_ndb};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else {
        return;
    };
    let blobs = match mode % 3 {
        0 => vec![rest.to_vec()],
        1 => rpm_bdb::values(rest).map(|(v, _)| v).unwrap_or_default(),
        _ => rpm_ndb::blobs(rest).map(|(v, _)| v).unwrap_or_default(),
    };
    for blob in blobs {
        if let Ok(h) = rpm_header::decode(&blob)
            && let Some(src) = h.source_rpm.as_deref()
        {
            let _ = rpm_header::split_source_rpm(src);
        }
    }
});
