//! Each layer's index and analyzer outputs: from the cache where present, else walked
//! and stored, with per-layer claims so that kensa processes sharing a cache walk a
//! layer once between them.
//!
//! A layer missing from the cache is claimed before it is walked. A process that finds
//! a layer claimed by another walks its own layers first, then waits for the claim to
//! be released and reads the other's result; it holds no claim while it waits, so no
//! two processes wait for each other. After taking a claim the cache is read again,
//! because the previous holder may have stored the layer in between. If the holder
//! dies its claim is released with it; if it stays past [`WAIT_TIMEOUT`], the waiter
//! walks the layer itself and says so in a note.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kensa_core::{Analyzer, Digest, Location, NoteLevel, ScanNote};
use kensa_image::{CachedLayer, Claim, Image, Layer, LayerCache, LayerScan};

use crate::{ScanError, ScanOptions, ScanStats};

/// How long a scan waits for another process's walk of a layer before walking it too.
const WAIT_TIMEOUT: Duration = Duration::from_secs(120);
/// How often a waiting scan checks whether a claim was released.
const POLL: Duration = Duration::from_millis(20);

/// One entry per layer of `image`, in order.
pub(crate) fn layer_results(
    image: &Image,
    analyzers: &[&dyn Analyzer],
    options: &ScanOptions,
    cache: Option<&LayerCache>,
    stats: &mut ScanStats,
    notes: &mut Vec<ScanNote>,
) -> Result<Vec<CachedLayer>, ScanError> {
    // An image may hold the same layer twice; it is looked up and walked once.
    let mut found: HashMap<&Digest, CachedLayer> = HashMap::new();
    let mut missing: Vec<&Layer> = Vec::new();
    for layer in &image.layers {
        if found.contains_key(&layer.diff_id) || missing.iter().any(|l| l.diff_id == layer.diff_id)
        {
            continue;
        }
        match cache.and_then(|c| c.layer(&layer.diff_id, analyzers)) {
            Some(cached) => {
                found.insert(&layer.diff_id, cached);
            }
            None => missing.push(layer),
        }
    }
    stats.layers_cached = found.len();

    let mut layers = Layers {
        image,
        analyzers,
        options,
        cache,
        stats,
        notes,
        found,
    };
    match cache {
        None => layers.walk(missing.into_iter().map(|l| (l, None)).collect())?,
        Some(cache) => {
            let (mine, theirs) = layers.claim_all(cache, missing, false);
            layers.walk(mine)?;
            layers.wait_for(cache, theirs)?;
        }
    }

    let Layers { mut found, .. } = layers;
    let mut out = Vec::with_capacity(image.layers.len());
    for (i, layer) in image.layers.iter().enumerate() {
        // A repeated layer takes a copy; the last occurrence takes the original.
        let repeated = image.layers[i + 1..]
            .iter()
            .any(|l| l.diff_id == layer.diff_id);
        let entry = if repeated {
            found.get(&layer.diff_id).cloned()
        } else {
            found.remove(&layer.diff_id)
        };
        out.extend(entry);
    }
    Ok(out)
}

enum Claimed {
    /// Someone stored the layer before we claimed it.
    Cached(CachedLayer),
    /// Ours to walk (without a claim when claims do not work here).
    Mine(Option<Claim>),
    /// Another process is walking it.
    Theirs,
}

struct Layers<'s, 'i> {
    image: &'i Image,
    analyzers: &'s [&'s dyn Analyzer],
    options: &'s ScanOptions,
    cache: Option<&'s LayerCache>,
    stats: &'s mut ScanStats,
    notes: &'s mut Vec<ScanNote>,
    found: HashMap<&'i Digest, CachedLayer>,
}

/// Layers to walk (with their claims) and layers another process is walking.
type Sorted<'i> = (Vec<(&'i Layer, Option<Claim>)>, Vec<&'i Layer>);

impl<'i> Layers<'_, 'i> {
    /// Claims each of `layers`, taking those found cached meanwhile (counted as waited
    /// for when `waited`).
    fn claim_all(
        &mut self,
        cache: &LayerCache,
        layers: Vec<&'i Layer>,
        waited: bool,
    ) -> Sorted<'i> {
        let mut mine = Vec::new();
        let mut theirs = Vec::new();
        for layer in layers {
            match self.claim(cache, layer) {
                Claimed::Cached(cached) => {
                    if waited {
                        self.stats.layers_waited += 1;
                    } else {
                        self.stats.layers_cached += 1;
                    }
                    self.found.insert(&layer.diff_id, cached);
                }
                Claimed::Mine(claim) => mine.push((layer, claim)),
                Claimed::Theirs => theirs.push(layer),
            }
        }
        (mine, theirs)
    }

    fn claim(&mut self, cache: &LayerCache, layer: &Layer) -> Claimed {
        match cache.try_claim_layer(&layer.diff_id) {
            Ok(Some(claim)) => match cache.layer(&layer.diff_id, self.analyzers) {
                Some(cached) => Claimed::Cached(cached),
                None => Claimed::Mine(Some(claim)),
            },
            Ok(None) => Claimed::Theirs,
            Err(e) => {
                self.note(format!(
                    "layer {} walked without a claim, so another kensa may walk it too: {e}",
                    layer.diff_id
                ));
                Claimed::Mine(None)
            }
        }
    }

    /// Waits for the layers other processes are walking, walking any whose claim is
    /// released without a result, and all that are left at the deadline.
    fn wait_for(
        &mut self,
        cache: &LayerCache,
        mut theirs: Vec<&'i Layer>,
    ) -> Result<(), ScanError> {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        while !theirs.is_empty() {
            if Instant::now() >= deadline {
                for layer in &theirs {
                    self.note(format!(
                        "layer {} walked here too: another kensa held its claim for more than {}s",
                        layer.diff_id,
                        WAIT_TIMEOUT.as_secs()
                    ));
                }
                return self.walk(theirs.into_iter().map(|l| (l, None)).collect());
            }
            std::thread::sleep(POLL);
            let (released, still) = self.claim_all(cache, theirs, true);
            self.walk(released)?;
            theirs = still;
        }
        Ok(())
    }

    /// Walks `layers` in parallel and stores each as soon as it is walked, then releases
    /// its claim, so a process waiting for it need not wait for the whole batch.
    fn walk(&mut self, layers: Vec<(&'i Layer, Option<Claim>)>) -> Result<(), ScanError> {
        if layers.is_empty() {
            return Ok(());
        }
        let walker = crate::walker(self.analyzers, self.options)?;
        let (layers, claims): (Vec<&Layer>, Vec<Option<Claim>>) = layers.into_iter().unzip();
        let claims: Mutex<HashMap<&Digest, Claim>> = Mutex::new(
            layers
                .iter()
                .zip(claims)
                .filter_map(|(l, c)| Some((&l.diff_id, c?)))
                .collect(),
        );
        let failures = Mutex::new(Vec::new());
        let (cache, analyzers) = (self.cache, self.analyzers);
        let stored = |layer: &Layer, scan: &LayerScan| {
            if let Some(cache) = cache {
                let outputs = analyzers
                    .iter()
                    .filter_map(|a| scan.outputs.get(a.id()).map(|o| (*a, o)));
                if let Err(e) = cache.store(&layer.diff_id, &scan.index, outputs)
                    && let Ok(mut failures) = failures.lock()
                {
                    failures.push(format!("layer {} not cached: {e}", layer.diff_id));
                }
            }
            if let Ok(mut claims) = claims.lock() {
                claims.remove(&layer.diff_id);
            }
        };
        let scans = walker.walk_layers_then(self.image, &layers, &stored);
        // On an error the remaining claims are released here, unstored.
        drop(claims);
        for message in failures.into_inner().unwrap_or_default() {
            self.note(message);
        }
        for (layer, scan) in layers.into_iter().zip(scans?) {
            self.stats.layers_walked += 1;
            self.stats.bytes_walked += scan.uncompressed_size;
            self.stats.walked.push(layer.diff_id.clone());
            self.found
                .insert(&layer.diff_id, (scan.index, scan.outputs));
        }
        Ok(())
    }

    fn note(&mut self, message: String) {
        self.notes.push(ScanNote {
            level: NoteLevel::Warning,
            found_by: "cache".into(),
            location: Location::default(),
            message,
        });
    }
}
