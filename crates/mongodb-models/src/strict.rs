//! Strictness for the structures that appear both in parameters and in answers (`TagInfo`,
//! `Auth`, `Role`, …).
//!
//! One Rust type serves both sides, so it cannot simply refuse unknown members the way a
//! request does (`deny_unknown_fields`): an answer must keep what it does not know. Instead such
//! a structure keeps unknown members in `unknown_fields`, like every answer-only structure, and
//! where it sits inside a request the generator decodes it through the helpers below. They
//! decode the value, then walk it (and the shared structures inside it) through the generated
//! [`KnownMembers`] and refuse the first unknown member with serde's own `unknown field` error,
//! naming it by its path inside the structure. So a misspelled member is an error in a request
//! and kept in an answer, and the type is the same.

use std::fmt::Write as _;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, SeqAccess, Visitor};

/// The first member of a value (or of the structures inside it) that the models do not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownMember {
    /// Dotted path below the value: `Extra`, or `Resource.Colection` one level down.
    pub(crate) path: String,
    /// The members the innermost structure does know, for the message.
    pub(crate) expected: &'static [&'static str],
}

/// Implemented by the generator for every structure shared by parameters and answers.
pub(crate) trait KnownMembers {
    /// The first unknown member, if any.
    fn first_unknown(&self) -> Option<UnknownMember>;
}

/// The first unknown member of the structure in member `name`, with `name.` prefixed.
pub(crate) fn in_member<T: KnownMembers>(name: &str, v: Option<&T>) -> Option<UnknownMember> {
    let mut found = v?.first_unknown()?;
    found.path = format!("{name}.{}", found.path);
    Some(found)
}

/// The first unknown member among the structures listed in member `name` (`name.<index>.`).
#[allow(dead_code)] // reason: the generator calls whichever shapes the spec has; today's spec has no such member
pub(crate) fn in_list<T: KnownMembers>(name: &str, v: Option<&[T]>) -> Option<UnknownMember> {
    v?.iter().enumerate().find_map(|(i, item)| {
        let mut found = item.first_unknown()?;
        let mut path = String::with_capacity(name.len() + found.path.len() + 4);
        let _ = write!(path, "{name}.{i}.{}", found.path);
        found.path = path;
        Some(found)
    })
}

/// Decodes a shared structure inside a request and refuses unknown members.
struct Strict<T>(PhantomData<T>);

impl<T> Clone for Strict<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Strict<T> {}

impl<'de, T: Deserialize<'de> + KnownMembers> DeserializeSeed<'de> for Strict<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        let v = T::deserialize(d)?;
        match v.first_unknown() {
            None => Ok(v),
            Some(u) => Err(de::Error::unknown_field(&u.path, u.expected)),
        }
    }
}

struct StrictList<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + KnownMembers> Visitor<'de> for StrictList<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // The hint comes from the input; cap it so a hostile length cannot reserve much.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(Strict::<T>(PhantomData))? {
            out.push(item);
        }
        Ok(out)
    }
}

/// A required shared structure of a request.
#[allow(dead_code)] // reason: the generator calls whichever shapes the spec has; today's spec has no such member
pub(crate) fn req<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + KnownMembers,
{
    Strict::<T>(PhantomData).deserialize(d)
}

/// An optional shared structure of a request; `null` is `None`.
#[allow(dead_code)] // reason: the generator calls whichever shapes the spec has; today's spec has no such member
pub(crate) fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + KnownMembers,
{
    match Option::<T>::deserialize(d)? {
        None => Ok(None),
        Some(v) => match v.first_unknown() {
            None => Ok(Some(v)),
            Some(u) => Err(de::Error::unknown_field(&u.path, u.expected)),
        },
    }
}

/// A required list of shared structures of a request.
pub(crate) fn req_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + KnownMembers,
{
    d.deserialize_seq(StrictList(PhantomData))
}

/// An optional list of shared structures of a request; `null` is `None`.
pub(crate) fn opt_vec<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + KnownMembers,
{
    struct OptList<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de> + KnownMembers> Visitor<'de> for OptList<T> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(StrictList(PhantomData)).map(Some)
        }
    }
    d.deserialize_option(OptList(PhantomData))
}
