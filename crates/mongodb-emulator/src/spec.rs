//! [`InstanceSpec`]: what an instance to add looks like, before it becomes state.

/// Description of an instance to add to the emulator, see
/// [`EmulatorBuilder::instance`](crate::EmulatorBuilder::instance) and
/// [`EmulatorHandle::add_instance`](crate::EmulatorHandle::add_instance).
///
/// ```
/// use mongodb_emulator::InstanceSpec;
///
/// let isolated = InstanceSpec::replica_set("cmgo-test0001")
///     .with_name("isolated one")
///     .with_status(-2); // isolated: backups are refused
/// assert_eq!(isolated.instance_id(), "cmgo-test0001");
/// assert_eq!(InstanceSpec::sharded("cmgo-test0002", 3).replica_set_ids().len(), 3);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceSpec {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) sharded: bool,
    pub(crate) shards: u32,
    pub(crate) status: i64,
    pub(crate) region: String,
    pub(crate) zone: String,
    pub(crate) mongo_version: String,
    pub(crate) memory_mb: u64,
    pub(crate) volume_mb: u64,
    pub(crate) cpu: u64,
}

impl InstanceSpec {
    /// A running replica-set instance with the one set `<id>_0`.
    pub fn replica_set(instance_id: impl Into<String>) -> Self {
        let id = instance_id.into();
        InstanceSpec {
            name: format!("{id}-replset"),
            id,
            sharded: false,
            shards: 1,
            status: 2,
            region: "ap-guangzhou".to_owned(),
            zone: "ap-guangzhou-3".to_owned(),
            mongo_version: "MONGO_40_WT".to_owned(),
            memory_mb: 4096,
            volume_mb: 102_400,
            cpu: 2,
        }
    }

    /// A running sharded cluster with shards `<id>_0` … `<id>_{shards-1}` (at
    /// least one).
    pub fn sharded(instance_id: impl Into<String>, shards: u32) -> Self {
        let base = InstanceSpec::replica_set(instance_id);
        InstanceSpec {
            name: format!("{}-sharded", base.id),
            sharded: true,
            shards: shards.max(1),
            mongo_version: "MONGO_42_WT".to_owned(),
            memory_mb: 8192,
            volume_mb: 256_000,
            cpu: 4,
            ..base
        }
    }

    /// Set the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Set the status code (0 initialising, 1 processing, 2 running, -2 / -3
    /// isolated). Only running instances accept new backups.
    pub fn with_status(mut self, status: i64) -> Self {
        self.status = status;
        self
    }

    /// Set region and zone, e.g. `("ap-shanghai", "ap-shanghai-2")`.
    pub fn with_location(mut self, region: impl Into<String>, zone: impl Into<String>) -> Self {
        self.region = region.into();
        self.zone = zone.into();
        self
    }

    /// Set the engine version string, e.g. `MONGO_50_WT`.
    pub fn with_mongo_version(mut self, version: impl Into<String>) -> Self {
        self.mongo_version = version.into();
        self
    }

    /// The instance id.
    pub fn instance_id(&self) -> &str {
        &self.id
    }

    /// The ids of its replica sets or shards.
    pub fn replica_set_ids(&self) -> Vec<String> {
        (0..self.shards)
            .map(|i| format!("{}_{i}", self.id))
            .collect()
    }
}
