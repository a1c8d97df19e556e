//! Costly read-only figures computed once per key and kept a short while in this instance:
//! concurrent requests for the same key wait for the one computation in flight (never
//! several at once: 64 phones opening the public figures must not run 64 computations).
//! Once a value has expired, the one request that recomputes it waits; the others are
//! answered with the previous value meanwhile (at most one computation old), so a page
//! read all day never stalls everyone once a minute. Nothing here is shared state: another
//! instance computes its own, and losing it loses nothing. A failed computation is not
//! kept: the next request tries again.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// (computed at, how long it took in ms, the value)
pub struct Kept<V> {
    pub at: i64,
    pub cost_ms: i64,
    pub value: V,
}

type Slot<V> = Arc<OnceCell<Kept<V>>>;

struct Entry<V> {
    slot: Slot<V>,
    /// The value before the one being computed, served meanwhile.
    previous: Option<V>,
}

pub struct Memo<K, V> {
    slots: Mutex<HashMap<K, Entry<V>>>,
    max: usize,
}

/// What a request does about its key.
enum Plan<V> {
    Ready(V),
    Join(Slot<V>),
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    /// At most `max` keys kept (expired ones are dropped when it is reached; past that,
    /// everything computed is dropped before a new key is added).
    pub fn new(max: usize) -> Self {
        Self { slots: Mutex::new(HashMap::new()), max }
    }

    /// Drops what is kept for `key` (its source changed here); a computation in flight
    /// finishes for those waiting on it.
    pub fn forget(&self, key: &K) {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }

    /// The value of `key`: computed less than `ttl_ms` ago and still worth keeping by
    /// `keep`; or, while it is being computed again, the previous one; else computed by
    /// `compute` (or its computation in flight joined).
    pub async fn get<E, F, Fut>(
        &self,
        key: K,
        now: i64,
        ttl_ms: i64,
        keep: impl Fn(&Kept<V>) -> bool,
        compute: F,
    ) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let plan = {
            // A poisoned lock only means another request panicked while holding it: the map
            // is still a valid cache.
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            let fresh = |k: &Kept<V>| now - k.at < ttl_ms && keep(k);
            match slots.get(&key) {
                Some(e) => match e.slot.get() {
                    Some(k) if fresh(k) => Plan::Ready(k.value.clone()),
                    None => match &e.previous {
                        Some(v) => Plan::Ready(v.clone()),
                        None => Plan::Join(e.slot.clone()),
                    },
                    // Expired (or not worth keeping): this request computes it again; the
                    // others get this value meanwhile, if it was worth keeping.
                    Some(k) => {
                        let previous = keep(k).then(|| k.value.clone());
                        let slot: Slot<V> = Arc::new(OnceCell::new());
                        slots.insert(key.clone(), Entry { slot: slot.clone(), previous });
                        Plan::Join(slot)
                    }
                },
                None => {
                    if slots.len() >= self.max {
                        slots.retain(|_, e| e.slot.get().is_some_and(|k| now - k.at < ttl_ms));
                        if slots.len() >= self.max {
                            slots.retain(|_, e| e.slot.get().is_none());
                        }
                    }
                    let slot: Slot<V> = Arc::new(OnceCell::new());
                    slots.insert(key.clone(), Entry { slot: slot.clone(), previous: None });
                    Plan::Join(slot)
                }
            }
        };
        let slot = match plan {
            Plan::Ready(v) => return Ok(v),
            Plan::Join(slot) => slot,
        };
        let kept = slot
            .get_or_try_init(|| async {
                let started = std::time::Instant::now();
                let value = compute().await?;
                Ok::<_, E>(Kept { at: now, cost_ms: started.elapsed().as_millis() as i64, value })
            })
            .await;
        match kept {
            Ok(kept) => {
                // Computed: the previous value is no longer needed.
                let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(e) = slots.get_mut(&key).filter(|e| Arc::ptr_eq(&e.slot, &slot)) {
                    e.previous = None;
                }
                Ok(kept.value.clone())
            }
            Err(e) => {
                // An empty slot would look in flight for ever: drop it (unless a retry has
                // filled it or replaced it meanwhile).
                let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
                if slots.get(&key).is_some_and(|e| Arc::ptr_eq(&e.slot, &slot) && e.slot.get().is_none()) {
                    slots.remove(&key);
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn one_computation_for_many_waiting_and_kept_until_it_expires() {
        let memo: Arc<Memo<u8, u32>> = Arc::new(Memo::new(4));
        let runs = Arc::new(AtomicU32::new(0));
        let mut waiting = Vec::new();
        for _ in 0..16 {
            let (memo, runs) = (memo.clone(), runs.clone());
            waiting.push(tokio::spawn(async move {
                memo.get(
                    1,
                    1_000,
                    60_000,
                    |_| true,
                    || async {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<_, ()>(runs.fetch_add(1, Ordering::SeqCst) + 1)
                    },
                )
                .await
            }));
        }
        for w in waiting {
            assert_eq!(w.await.unwrap(), Ok(1));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1, "sixteen requests, one computation");
        let again = memo.get(1, 60_999, 60_000, |_| true, || async { Ok::<_, ()>(99) }).await;
        assert_eq!(again, Ok(1), "still fresh");
        let later = memo.get(1, 61_000, 60_000, |_| true, || async { Ok::<_, ()>(2) }).await;
        assert_eq!(later, Ok(2), "expired: computed again");
        let cheap = memo.get(1, 61_001, 60_000, |k| k.value > 5, || async { Ok::<_, ()>(3) }).await;
        assert_eq!(cheap, Ok(3), "not worth keeping: computed again");
    }

    #[tokio::test]
    async fn while_one_request_recomputes_the_others_get_the_previous_value() {
        let memo: Arc<Memo<u8, u32>> = Arc::new(Memo::new(4));
        memo.get(1, 0, 1_000, |_| true, || async { Ok::<_, ()>(1) }).await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let slow = {
            let memo = memo.clone();
            tokio::spawn(async move {
                memo.get(
                    1,
                    5_000,
                    1_000,
                    |_| true,
                    || async move {
                        rx.await.ok();
                        Ok::<_, ()>(2)
                    },
                )
                .await
            })
        };
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let meanwhile = memo.get(1, 5_001, 1_000, |_| true, || async { Ok::<_, ()>(99) }).await;
        assert_eq!(meanwhile, Ok(1), "the previous value while it is recomputed");
        tx.send(()).unwrap();
        assert_eq!(slow.await.unwrap(), Ok(2));
        assert_eq!(memo.get(1, 5_002, 1_000, |_| true, || async { Ok::<_, ()>(99) }).await, Ok(2));
    }

    #[tokio::test]
    async fn a_failure_is_not_kept_and_keys_stay_bounded() {
        let memo: Memo<u8, u32> = Memo::new(2);
        assert_eq!(memo.get(1, 0, 60_000, |_| true, || async { Err::<u32, _>("down") }).await, Err("down"));
        assert!(memo.slots.lock().unwrap().is_empty(), "a failed key is not kept");
        assert_eq!(memo.get(1, 1, 60_000, |_| true, || async { Ok::<_, &str>(7) }).await, Ok(7));
        for k in 2..10 {
            memo.get(k, 2, 60_000, |_| true, || async { Ok::<_, ()>(k as u32) }).await.unwrap();
            assert!(memo.slots.lock().unwrap().len() <= 2);
        }
    }
}
