//! The parameters an instance (or a parameter template) lets one change, by
//! engine version and cluster type: names, kinds, defaults, ranges, allowed
//! values, whether a change needs a restart. Checking a value against the
//! table and writing the four lists the answers carry (enum, integer, text,
//! multi-value parameters) live here too, for instances and templates alike.
//!
//! Names, defaults and ranges follow what the service publishes for its
//! parameter lists; the tips are our own words.

use mongodb_errors::ErrorCode;
use mongodb_models::{
    InstanceEnumParam, InstanceIntegerParam, InstanceMultiParam, InstanceTextParam,
};

use crate::actions::errors;
use crate::util::ApiError;

/// What values a parameter takes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    /// One of these values.
    Enum(&'static [&'static str]),
    /// An integer in `min..=max`.
    Integer(i64, i64),
    /// A daily time window `HH:MM-HH:MM` within these bounds.
    Window(&'static str, &'static str),
}

/// Which clusters have a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Clusters {
    All,
    /// Sharded clusters only (it concerns the balancer or mongos).
    Sharded,
}

/// One parameter of the table.
#[derive(Debug)]
pub(crate) struct Param {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) default: &'static str,
    pub(crate) need_restart: bool,
    /// Chinese and English tips.
    tips: [&'static str; 2],
    /// First and last engine versions that have it (`40` for 4.0, …).
    versions: (u32, u32),
    clusters: Clusters,
}

const LAST: u32 = 99;
const OPS: &[&str] = &["off", "slowOp", "all"];
const ON_OFF: &[&str] = &["true", "false"];

const PARAMS: &[Param] = &[
    Param {
        name: "operationProfiling.mode",
        kind: Kind::Enum(OPS),
        default: "off",
        need_restart: false,
        tips: [
            "性能分析器记录哪些操作",
            "which operations the profiler records",
        ],
        versions: (40, LAST),
        clusters: Clusters::All,
    },
    Param {
        name: "operation.profiling.slowOpThresholdMs",
        kind: Kind::Integer(0, 65_536),
        default: "100",
        need_restart: false,
        tips: [
            "操作耗时超过该值（毫秒）即记为慢操作",
            "an operation slower than this many milliseconds counts as slow",
        ],
        versions: (40, LAST),
        clusters: Clusters::All,
    },
    Param {
        name: "setParameter.cursorTimeoutMillis",
        kind: Kind::Integer(1, 2_147_483_647),
        default: "600000",
        need_restart: false,
        tips: [
            "空闲游标被回收前保留的毫秒数",
            "milliseconds an idle cursor lives before the server removes it",
        ],
        versions: (40, LAST),
        clusters: Clusters::All,
    },
    Param {
        name: "setParameter.internalQueryExecMaxBlockingSortBytes",
        kind: Kind::Integer(33_554_432, 268_435_456),
        default: "33554432",
        need_restart: false,
        tips: [
            "内存排序可使用的最大字节数",
            "bytes an in-memory sort may use before it fails",
        ],
        versions: (40, 42),
        clusters: Clusters::All,
    },
    Param {
        name: "setParameter.internalQueryMaxBlockingSortMemoryUsageBytes",
        kind: Kind::Integer(33_554_432, 268_435_456),
        default: "33554432",
        need_restart: false,
        tips: [
            "阻塞排序阶段可使用的最大内存字节数",
            "bytes of memory a blocking sort stage may use",
        ],
        versions: (44, LAST),
        clusters: Clusters::All,
    },
    Param {
        name: "setParameter.maxTransactionLockRequestTimeoutMillis",
        kind: Kind::Integer(0, 60),
        default: "5",
        need_restart: false,
        tips: [
            "事务等待获取锁的最长毫秒数",
            "milliseconds a transaction waits for a lock before it aborts",
        ],
        versions: (40, LAST),
        clusters: Clusters::All,
    },
    Param {
        name: "setParameter.transactionLifetimeLimitSeconds",
        kind: Kind::Integer(5, 300),
        default: "60",
        need_restart: false,
        tips: [
            "多文档事务的最长存活秒数",
            "seconds a multi-document transaction may run",
        ],
        versions: (40, LAST),
        clusters: Clusters::All,
    },
    Param {
        name: "setParameter.failIndexKeyTooLong",
        kind: Kind::Enum(ON_OFF),
        default: "true",
        need_restart: false,
        tips: [
            "索引键超长时写入是否失败",
            "whether a write fails when an index key is too long",
        ],
        versions: (40, 42),
        clusters: Clusters::All,
    },
    Param {
        name: "storage.wiredTiger.collectionConfig.blockCompressor",
        kind: Kind::Enum(&["snappy", "zlib", "none"]),
        default: "snappy",
        need_restart: true,
        tips: [
            "新建集合的数据压缩算法",
            "the compressor of the data of new collections",
        ],
        versions: (40, 40),
        clusters: Clusters::All,
    },
    Param {
        name: "storage.wiredTiger.collectionConfig.blockCompressor",
        kind: Kind::Enum(&["snappy", "zlib", "zstd", "none"]),
        default: "snappy",
        need_restart: true,
        tips: [
            "新建集合的数据压缩算法",
            "the compressor of the data of new collections",
        ],
        versions: (42, LAST),
        clusters: Clusters::All,
    },
    Param {
        name: "setParameter.allowDiskUseByDefault",
        kind: Kind::Enum(ON_OFF),
        default: "true",
        need_restart: false,
        tips: [
            "查询默认是否可使用磁盘临时文件",
            "whether queries may spill to disk unless told otherwise",
        ],
        versions: (60, LAST),
        clusters: Clusters::All,
    },
    Param {
        name: "balance.window",
        kind: Kind::Window("00:00", "23:59"),
        default: "00:00-23:59",
        need_restart: false,
        tips: [
            "均衡器迁移数据块的时间窗",
            "the daily window in which the balancer moves chunks",
        ],
        versions: (40, LAST),
        clusters: Clusters::Sharded,
    },
];

/// `42` for `MONGO_42_WT`; 0 when the code has no number.
pub(crate) fn version_number(code: &str) -> u32 {
    code.split('_')
        .find_map(|part| part.parse().ok())
        .unwrap_or(0)
}

impl Param {
    fn applies(&self, version: u32, sharded: bool) -> bool {
        (self.versions.0..=self.versions.1).contains(&version)
            && (self.clusters == Clusters::All || sharded)
    }
}

/// The parameters of an engine version and cluster type, in table order.
pub(crate) fn params_for(version: &str, sharded: bool) -> Vec<&'static Param> {
    let v = version_number(version);
    PARAMS.iter().filter(|p| p.applies(v, sharded)).collect()
}

/// Checks that `key` may be set to `value` where `version` and `sharded`
/// say (`place` names it in messages: "the instance `cmgo-…`", "this
/// template"); returns the parameter.
pub(crate) fn check(
    version: &str,
    sharded: bool,
    place: &str,
    key: &str,
    value: &str,
) -> Result<&'static Param, ApiError> {
    let v = version_number(version);
    let Some(p) = PARAMS
        .iter()
        .find(|p| p.name == key && p.applies(v, sharded))
    else {
        let cluster = if sharded {
            "sharded cluster"
        } else {
            "replica set"
        };
        if PARAMS.iter().any(|p| p.name == key) {
            return Err(errors::error(
                ErrorCode::InvalidParameterCurrentInstanceNotSupportModifyParams,
                format!(
                    "The parameter `{key}` does not exist on {place} ({version}, {cluster}); DescribeInstanceParams or DescribeDBInstanceParamTplDetail lists the ones it has."
                ),
            ));
        }
        return Err(errors::error(
            ErrorCode::InvalidParameterModifyMongodbParams,
            format!(
                "`{key}` is not a parameter that can be changed; DescribeInstanceParams lists the names {place} accepts."
            ),
        ));
    };
    let fits = match p.kind {
        Kind::Enum(values) => values.contains(&value),
        Kind::Integer(min, max) => value
            .trim()
            .parse::<i64>()
            .is_ok_and(|n| (min..=max).contains(&n)),
        Kind::Window(..) => window(value).is_some(),
    };
    if fits {
        return Ok(p);
    }
    let wanted = match p.kind {
        Kind::Enum(values) => format!("one of {}", values.join(", ")),
        Kind::Integer(min, max) => format!("an integer from {min} to {max}"),
        Kind::Window(from, to) => {
            format!("a daily window HH:MM-HH:MM between {from} and {to}, e.g. 01:00-05:00")
        }
    };
    Err(errors::error(
        ErrorCode::InvalidParameterValueModifyMongodbParams,
        format!("The value of `{key}` must be {wanted}; got `{value}`."),
    ))
}

/// `(start, end)` minutes of the day of `HH:MM-HH:MM`, when it is one.
fn window(value: &str) -> Option<(u32, u32)> {
    let minutes = |t: &str| {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60 && t.trim().len() == 5).then_some(h * 60 + m)
    };
    let (a, b) = value.split_once('-')?;
    let (a, b) = (minutes(a)?, minutes(b)?);
    (a != b).then_some((a, b))
}

/// The four lists of an answer.
#[derive(Default)]
pub(crate) struct Lists {
    pub(crate) enums: Vec<InstanceEnumParam>,
    pub(crate) integers: Vec<InstanceIntegerParam>,
    pub(crate) texts: Vec<InstanceTextParam>,
    pub(crate) multis: Vec<InstanceMultiParam>,
}

impl Lists {
    pub(crate) fn len(&self) -> usize {
        self.enums.len() + self.integers.len() + self.texts.len() + self.multis.len()
    }
}

/// The lists for `params`; `value_of` gives each one's current value and
/// whether it is in effect.
pub(crate) fn lists<'a>(
    params: impl IntoIterator<Item = &'a Param>,
    value_of: impl Fn(&Param) -> (String, bool),
) -> Lists {
    let mut out = Lists::default();
    for p in params {
        let (current, in_effect) = value_of(p);
        let status = u64::from(in_effect);
        let restart = if p.need_restart { "1" } else { "0" };
        let tips: Vec<String> = p.tips.iter().map(|t| (*t).to_owned()).collect();
        match p.kind {
            Kind::Enum(values) => out.enums.push(
                InstanceEnumParam::default()
                    .with_current_value(current)
                    .with_default_value(p.default)
                    .with_enum_value(values.iter().map(|v| (*v).to_owned()).collect())
                    .with_need_restart(restart)
                    .with_param_name(p.name)
                    .with_tips(tips)
                    .with_value_type("enum")
                    .with_status(status),
            ),
            Kind::Integer(min, max) => out.integers.push(
                InstanceIntegerParam::default()
                    .with_current_value(current)
                    .with_default_value(p.default)
                    .with_max(max.to_string())
                    .with_min(min.to_string())
                    .with_need_restart(restart)
                    .with_param_name(p.name)
                    .with_tips(tips)
                    .with_value_type("integer")
                    .with_status(status)
                    .with_unit(""),
            ),
            Kind::Window(from, to) => out.multis.push(
                InstanceMultiParam::default()
                    .with_current_value(current)
                    .with_default_value(p.default)
                    .with_enum_value(vec![from.to_owned(), to.to_owned()])
                    .with_need_restart(restart)
                    .with_param_name(p.name)
                    .with_status(status)
                    .with_tips(tips)
                    .with_value_type("multi"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(version: &str, sharded: bool) -> Vec<&'static str> {
        params_for(version, sharded)
            .iter()
            .map(|p| p.name)
            .collect()
    }

    #[test]
    fn versions_and_cluster_types_have_their_own_parameters() {
        assert_eq!(version_number("MONGO_44_WT"), 44);
        assert_eq!(version_number("odd"), 0);
        let v40 = names("MONGO_40_WT", false);
        let v50 = names("MONGO_50_WT", false);
        assert!(v40.contains(&"setParameter.failIndexKeyTooLong"));
        assert!(!v50.contains(&"setParameter.failIndexKeyTooLong"));
        assert!(v50.contains(&"setParameter.internalQueryMaxBlockingSortMemoryUsageBytes"));
        assert_eq!(v50.len(), 7);
        assert!(names("MONGO_60_WT", false).contains(&"setParameter.allowDiskUseByDefault"));
        assert!(!v40.contains(&"balance.window"));
        assert!(names("MONGO_40_WT", true).contains(&"balance.window"));
        for v in [
            "MONGO_40_WT",
            "MONGO_42_WT",
            "MONGO_44_WT",
            "MONGO_50_WT",
            "MONGO_60_WT",
        ] {
            let mut all = names(v, true);
            let n = all.len();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), n, "{v}: one entry per name");
            for p in params_for(v, true) {
                let ok = check(v, true, "x", p.name, p.default);
                assert!(ok.is_ok(), "{v} {}: the default is allowed", p.name);
            }
        }
    }

    #[test]
    fn values_outside_the_table_get_the_documented_codes() {
        let code = |v: &str, k: &str, x: &str| check(v, false, "x", k, x).unwrap_err().code;
        let slow = "operation.profiling.slowOpThresholdMs";
        assert!(check("MONGO_40_WT", false, "x", slow, "65536").is_ok());
        let e = check("MONGO_40_WT", false, "x", slow, "65537").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameterValueModifyMongodbParams);
        assert!(e.message.contains("0 to 65536") && e.message.contains(slow));
        assert_eq!(
            code("MONGO_40_WT", slow, "ten"),
            ErrorCode::InvalidParameterValueModifyMongodbParams
        );
        let zstd = "storage.wiredTiger.collectionConfig.blockCompressor";
        assert!(check("MONGO_42_WT", false, "x", zstd, "zstd").is_ok());
        assert_eq!(
            code("MONGO_40_WT", zstd, "zstd"),
            ErrorCode::InvalidParameterValueModifyMongodbParams
        );
        assert_eq!(
            code("MONGO_50_WT", "setParameter.failIndexKeyTooLong", "true"),
            ErrorCode::InvalidParameterCurrentInstanceNotSupportModifyParams
        );
        assert_eq!(
            code("MONGO_50_WT", "balance.window", "01:00-03:00"),
            ErrorCode::InvalidParameterCurrentInstanceNotSupportModifyParams
        );
        assert_eq!(
            code("MONGO_50_WT", "net.nothing", "1"),
            ErrorCode::InvalidParameterModifyMongodbParams
        );
        for good in ["01:00-03:00", "23:00-02:30"] {
            assert!(check("MONGO_50_WT", true, "x", "balance.window", good).is_ok());
        }
        for bad in ["1:00-3:00", "01:00-01:00", "25:00-01:00", "01:00"] {
            assert!(
                check("MONGO_50_WT", true, "x", "balance.window", bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn lists_sort_parameters_by_kind() {
        let l = lists(params_for("MONGO_50_WT", true), |p| {
            (p.default.to_owned(), p.name != "operationProfiling.mode")
        });
        assert_eq!(l.len(), 8);
        assert_eq!((l.enums.len(), l.integers.len(), l.multis.len()), (2, 5, 1));
        assert_eq!(l.enums[0].status, Some(0), "waiting for its window");
        assert_eq!(l.enums[1].need_restart.as_deref(), Some("1"));
        assert_eq!(l.integers[0].max.as_deref(), Some("65536"));
    }
}
