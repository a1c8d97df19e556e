//! Photos residents attach to demands and threads (and the station to its notices): reading them from a multipart form within
//! limits, processing (type by content, EXIF stripped, thumbnail), keeping them across a
//! failed try of the same form, attaching them to what the form created, and serving them
//! to whoever the owning feature says may see them.

#[cfg(feature = "ssr")]
pub mod process;
#[cfg(feature = "ssr")]
pub mod server;

pub const MAX_PHOTOS: usize = 3;
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// What a photo belongs to, once its form was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Demand(i64),
    Thread(i64),
    Notice(i64),
}

impl Owner {
    /// The photos column that links to it.
    #[cfg(feature = "ssr")]
    pub(crate) fn column(self) -> (&'static str, i64) {
        match self {
            Owner::Demand(id) => ("demand_id", id),
            Owner::Thread(id) => ("thread_id", id),
            Owner::Notice(id) => ("notice_id", id),
        }
    }
}
