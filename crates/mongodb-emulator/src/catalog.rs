//! What can be bought where: the one table of regions, zones, machine types,
//! engine versions and node specifications. `DescribeSpecInfo` answers from it
//! and `CreateDBInstance`, `CreateDBInstanceHour` and the price inquiries check
//! against it, so what the emulator offers is exactly what it accepts.
//!
//! The values are realistic, not a copy of any region's real offer: the
//! service's own list differs by region and changes over time.

/// The region a request without `X-TC-Region` works in (where the demo
/// instances live).
pub(crate) const DEFAULT_REGION: &str = "ap-guangzhou";

/// Regions and their zones on sale.
const REGIONS: &[(&str, &[&str])] = &[
    (
        "ap-guangzhou",
        &["ap-guangzhou-2", "ap-guangzhou-3", "ap-guangzhou-4"],
    ),
    (
        "ap-shanghai",
        &["ap-shanghai-2", "ap-shanghai-4", "ap-shanghai-5"],
    ),
    (
        "ap-beijing",
        &["ap-beijing-3", "ap-beijing-5", "ap-beijing-6"],
    ),
    (
        "ap-nanjing",
        &["ap-nanjing-1", "ap-nanjing-2", "ap-nanjing-3"],
    ),
    ("ap-chengdu", &["ap-chengdu-1", "ap-chengdu-2"]),
    ("ap-hongkong", &["ap-hongkong-2", "ap-hongkong-3"]),
    (
        "ap-singapore",
        &["ap-singapore-2", "ap-singapore-3", "ap-singapore-4"],
    ),
    (
        "na-siliconvalley",
        &["na-siliconvalley-1", "na-siliconvalley-2"],
    ),
    ("eu-frankfurt", &["eu-frankfurt-1", "eu-frankfurt-2"]),
];

/// An engine version on sale.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Version {
    /// `MONGO_44_WT`.
    pub(crate) code: &'static str,
    /// `MongoVersionValue`: 10 for 4.4.
    pub(crate) value: u64,
    /// `4.4`.
    pub(crate) number: &'static str,
}

/// Engine versions on sale, oldest first.
pub(crate) const VERSIONS: &[Version] = &[
    Version {
        code: "MONGO_40_WT",
        value: 5,
        number: "4.0",
    },
    Version {
        code: "MONGO_42_WT",
        value: 9,
        number: "4.2",
    },
    Version {
        code: "MONGO_44_WT",
        value: 10,
        number: "4.4",
    },
    Version {
        code: "MONGO_50_WT",
        value: 11,
        number: "5.0",
    },
    Version {
        code: "MONGO_60_WT",
        value: 12,
        number: "6.0",
    },
];

/// A machine type (`MachineCode`) and whether its disks are local or cloud disks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Machine {
    pub(crate) code: &'static str,
    /// Cloud disk (smaller minimum storage, smaller specs on sale).
    pub(crate) cloud_disk: bool,
}

/// Machine types on sale.
pub(crate) const MACHINES: &[Machine] = &[
    Machine {
        code: "GE.LD.T2",
        cloud_disk: false,
    },
    Machine {
        code: "EX.LD.T2",
        cloud_disk: false,
    },
    Machine {
        code: "GE.CD.T1",
        cloud_disk: true,
    },
    Machine {
        code: "HIO10G",
        cloud_disk: false,
    },
    Machine {
        code: "HCD",
        cloud_disk: true,
    },
];

/// A node specification: CPU, memory and the storage range that goes with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NodeSpec {
    pub(crate) cpu: u64,
    pub(crate) memory_gb: u64,
    pub(crate) min_storage_gb: u64,
    pub(crate) max_storage_gb: u64,
    pub(crate) default_storage_gb: u64,
    pub(crate) qps: u64,
    pub(crate) conns: u64,
}

const fn spec(cpu: u64, memory_gb: u64, min: u64, max: u64, qps: u64, conns: u64) -> NodeSpec {
    NodeSpec {
        cpu,
        memory_gb,
        min_storage_gb: min,
        max_storage_gb: max,
        default_storage_gb: min * 2,
        qps,
        conns,
    }
}

/// Specifications of local-disk machine types.
const LOCAL_SPECS: &[NodeSpec] = &[
    spec(2, 4, 25, 500, 2_000, 1_000),
    spec(4, 8, 50, 1_000, 4_000, 2_000),
    spec(4, 16, 100, 2_000, 8_000, 4_000),
    spec(8, 32, 200, 3_000, 16_000, 8_000),
];

/// Specifications of cloud-disk machine types.
const CLOUD_SPECS: &[NodeSpec] = &[
    spec(1, 2, 10, 250, 1_000, 500),
    spec(2, 4, 10, 500, 2_000, 1_000),
    spec(4, 8, 20, 1_000, 4_000, 2_000),
    spec(8, 16, 40, 2_000, 8_000, 4_000),
];

/// Nodes per replica set (or per shard).
pub(crate) const NODES: (u64, u64) = (3, 7);
/// Shards of a sharded cluster.
pub(crate) const SHARDS: (u64, u64) = (2, 36);
/// Mongos nodes of a sharded cluster.
pub(crate) const MONGOS_NODES: (u64, u64) = (3, 32);
/// Read-only nodes per replica set.
pub(crate) const READONLY_NODES: (u64, u64) = (0, 5);
/// Instances per purchase.
pub(crate) const GOODS: (u64, u64) = (1, 30);
/// Months one may buy or renew.
pub(crate) const PERIODS: &[u64] = &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 24, 36];

/// Whether `region` is on sale.
pub(crate) fn has_region(region: &str) -> bool {
    REGIONS.iter().any(|(r, _)| *r == region)
}

/// The zones of `region` (empty for a region the catalog doesn't know).
pub(crate) fn zones(region: &str) -> &'static [&'static str] {
    REGIONS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, z)| *z)
        .unwrap_or(&[])
}

/// The region a zone belongs to.
pub(crate) fn region_of_zone(zone: &str) -> Option<&'static str> {
    REGIONS
        .iter()
        .find(|(_, zones)| zones.contains(&zone))
        .map(|(r, _)| *r)
}

pub(crate) fn version(code: &str) -> Option<&'static Version> {
    VERSIONS.iter().find(|v| v.code == code)
}

pub(crate) fn machine(code: &str) -> Option<&'static Machine> {
    MACHINES.iter().find(|m| m.code == code)
}

/// The specifications on sale for a machine type.
pub(crate) fn specs(machine: &Machine) -> &'static [NodeSpec] {
    if machine.cloud_disk {
        CLOUD_SPECS
    } else {
        LOCAL_SPECS
    }
}

/// The specification of `machine` with `memory_gb` (and `cpu`, when given).
pub(crate) fn find_spec(machine: &Machine, memory_gb: u64, cpu: Option<u64>) -> Option<NodeSpec> {
    specs(machine)
        .iter()
        .find(|s| s.memory_gb == memory_gb && cpu.is_none_or(|c| c == s.cpu))
        .copied()
}

/// The `SpecCode` of a specification: `mongo.<machine>.<memory>g`.
pub(crate) fn spec_code(machine: &Machine, spec: &NodeSpec) -> String {
    format!("mongo.{}.{}g", machine.code, spec.memory_gb)
}

/// What is priced: the nodes of an instance and their sizes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Priced {
    pub(crate) cpu: u64,
    pub(crate) memory_gb: u64,
    pub(crate) volume_gb: u64,
    /// Data-bearing nodes per replica set or shard (read-only ones included).
    pub(crate) nodes: u64,
    /// Replica sets or shards.
    pub(crate) shards: u64,
    /// Mongos nodes and their size (sharded clusters).
    pub(crate) mongos: u64,
    pub(crate) mongos_cpu: u64,
    pub(crate) mongos_memory_gb: u64,
}

/// Yuan per hour of running `p`: a deterministic formula, the same for every
/// zone and machine type (a guess; the service's prices are its own).
pub(crate) fn hourly_price(p: &Priced) -> f64 {
    let node = 0.08 * p.cpu as f64 + 0.04 * p.memory_gb as f64 + 0.0008 * p.volume_gb as f64;
    let mongos = if p.mongos > 0 {
        p.mongos as f64 * (0.05 * p.mongos_cpu as f64 + 0.02 * p.mongos_memory_gb as f64)
            // Three config servers of 1 CPU, 2 GB and 20 GB.
            + 3.0 * (0.05 + 0.04 + 0.016)
    } else {
        0.0
    };
    round_cents(node * (p.nodes * p.shards) as f64 + mongos)
}

/// Hours in a month of prepaid time.
pub(crate) const HOURS_PER_MONTH: f64 = 720.0;

/// The discount prepaid time gets (85 % of the list price).
pub(crate) const PREPAID_DISCOUNT: f64 = 0.85;

/// A price rounded to cents.
pub(crate) fn round_cents(yuan: f64) -> f64 {
    (yuan * 100.0).round() / 100.0
}

/// (list, discounted) price in cents of `months` of prepaid time at `hourly` yuan an hour.
pub(crate) fn prepaid_price(hourly: f64, months: u64) -> (f64, f64) {
    discounted(hourly * HOURS_PER_MONTH * months as f64)
}

/// (list, discounted) price of resizing an instance from `old` to `new` yuan an hour: a
/// prepaid one (`hours_left` of its term remaining) pays the rise for those hours at the
/// prepaid discount, a shrink costs nothing; a pay-as-you-go one pays the new hourly price.
pub(crate) fn resize_price(old: f64, new: f64, hours_left: Option<f64>) -> (f64, f64) {
    match hours_left {
        Some(hours) => discounted((new - old).max(0.0) * hours.max(0.0)),
        None => (round_cents(new), round_cents(new)),
    }
}

fn discounted(original: f64) -> (f64, f64) {
    (
        round_cents(original),
        round_cents(original * PREPAID_DISCOUNT),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_zone_has_one_region_and_every_machine_has_specs() {
        for (region, zones) in REGIONS {
            assert!(!zones.is_empty());
            for z in *zones {
                assert_eq!(region_of_zone(z), Some(*region));
                assert!(z.starts_with(region));
            }
        }
        assert!(has_region(DEFAULT_REGION));
        for m in MACHINES {
            assert!(!specs(m).is_empty());
            for s in specs(m) {
                assert!(s.min_storage_gb <= s.default_storage_gb);
                assert!(s.default_storage_gb <= s.max_storage_gb);
                assert_eq!(find_spec(m, s.memory_gb, Some(s.cpu)), Some(*s));
            }
        }
        let ge = machine("GE.LD.T2").unwrap();
        assert_eq!(
            spec_code(ge, &find_spec(ge, 4, None).unwrap()),
            "mongo.GE.LD.T2.4g"
        );
    }

    #[test]
    fn prepaid_time_is_discounted_and_a_prepaid_shrink_is_free() {
        assert_eq!(prepaid_price(1.0, 1), (720.0, 612.0));
        assert_eq!(resize_price(1.0, 2.0, Some(10.0)), (10.0, 8.5));
        assert_eq!(resize_price(2.0, 1.0, Some(10.0)), (0.0, 0.0));
        assert_eq!(resize_price(1.0, 2.5, None), (2.5, 2.5));
    }

    #[test]
    fn prices_grow_with_the_instance() {
        let small = Priced {
            cpu: 2,
            memory_gb: 4,
            volume_gb: 100,
            nodes: 3,
            shards: 1,
            mongos: 0,
            mongos_cpu: 0,
            mongos_memory_gb: 0,
        };
        let p = hourly_price(&small);
        assert!(p > 0.0);
        assert_eq!(p, hourly_price(&small), "deterministic");
        let sharded = Priced {
            shards: 2,
            mongos: 3,
            mongos_cpu: 1,
            mongos_memory_gb: 2,
            ..small
        };
        assert!(hourly_price(&sharded) > 2.0 * p);
        assert_eq!(round_cents(1.005_1), 1.01);
    }
}
