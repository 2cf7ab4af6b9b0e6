//! Lenient decoding of scalars, used by the generated code through `deserialize_with`.
//!
//! The service does not always send the type its spec documents: a string member may arrive as a
//! number (`"AsyncRequestId": 4773`), an integer as a string (`"2"`), a float as an integer.
//! These helpers accept those forms; encoding always uses the documented type. `null` decodes as
//! `None` for optional members.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};

/// A scalar type with a lenient decoder.
pub(crate) trait Scalar: Sized {
    /// What the decoder expects, for error messages.
    const EXPECTING: &'static str;
    fn from_str_value<E: de::Error>(v: &str) -> Result<Self, E>;
    fn from_i64<E: de::Error>(v: i64) -> Result<Self, E>;
    fn from_u64<E: de::Error>(v: u64) -> Result<Self, E>;
    fn from_f64<E: de::Error>(v: f64) -> Result<Self, E>;
    fn from_bool<E: de::Error>(v: bool) -> Result<Self, E>;
}

impl Scalar for String {
    const EXPECTING: &'static str = "a String";
    fn from_str_value<E: de::Error>(v: &str) -> Result<Self, E> {
        Ok(v.to_owned())
    }
    fn from_i64<E: de::Error>(v: i64) -> Result<Self, E> {
        Ok(v.to_string())
    }
    fn from_u64<E: de::Error>(v: u64) -> Result<Self, E> {
        Ok(v.to_string())
    }
    fn from_f64<E: de::Error>(v: f64) -> Result<Self, E> {
        Ok(v.to_string())
    }
    fn from_bool<E: de::Error>(v: bool) -> Result<Self, E> {
        Ok(v.to_string())
    }
}

fn integral(v: f64) -> Option<f64> {
    (v.is_finite() && v.fract() == 0.0).then_some(v)
}

impl Scalar for i64 {
    const EXPECTING: &'static str = "an Integer";
    fn from_str_value<E: de::Error>(v: &str) -> Result<Self, E> {
        let t = v.trim();
        if let Ok(n) = t.parse::<i64>() {
            return Ok(n);
        }
        match t.parse::<f64>().ok().and_then(integral) {
            Some(f) if f >= i64::MIN as f64 && f <= i64::MAX as f64 => Ok(f as i64),
            _ => Err(E::invalid_type(Unexpected::Str(v), &Self::EXPECTING)),
        }
    }
    fn from_i64<E: de::Error>(v: i64) -> Result<Self, E> {
        Ok(v)
    }
    fn from_u64<E: de::Error>(v: u64) -> Result<Self, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &Self::EXPECTING))
    }
    fn from_f64<E: de::Error>(v: f64) -> Result<Self, E> {
        match integral(v) {
            Some(f) if f >= i64::MIN as f64 && f <= i64::MAX as f64 => Ok(f as i64),
            _ => Err(E::invalid_value(Unexpected::Float(v), &Self::EXPECTING)),
        }
    }
    fn from_bool<E: de::Error>(v: bool) -> Result<Self, E> {
        Err(E::invalid_type(Unexpected::Bool(v), &Self::EXPECTING))
    }
}

impl Scalar for u64 {
    const EXPECTING: &'static str = "a non-negative Integer";
    fn from_str_value<E: de::Error>(v: &str) -> Result<Self, E> {
        let t = v.trim();
        if let Ok(n) = t.parse::<u64>() {
            return Ok(n);
        }
        match t.parse::<f64>().ok().and_then(integral) {
            Some(f) if f >= 0.0 && f <= u64::MAX as f64 => Ok(f as u64),
            Some(_) => Err(E::invalid_value(Unexpected::Str(v), &Self::EXPECTING)),
            None => Err(E::invalid_type(Unexpected::Str(v), &Self::EXPECTING)),
        }
    }
    fn from_i64<E: de::Error>(v: i64) -> Result<Self, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &Self::EXPECTING))
    }
    fn from_u64<E: de::Error>(v: u64) -> Result<Self, E> {
        Ok(v)
    }
    fn from_f64<E: de::Error>(v: f64) -> Result<Self, E> {
        match integral(v) {
            Some(f) if f >= 0.0 && f <= u64::MAX as f64 => Ok(f as u64),
            _ => Err(E::invalid_value(Unexpected::Float(v), &Self::EXPECTING)),
        }
    }
    fn from_bool<E: de::Error>(v: bool) -> Result<Self, E> {
        Err(E::invalid_type(Unexpected::Bool(v), &Self::EXPECTING))
    }
}

impl Scalar for f64 {
    const EXPECTING: &'static str = "a Float";
    fn from_str_value<E: de::Error>(v: &str) -> Result<Self, E> {
        v.trim()
            .parse::<f64>()
            .map_err(|_| E::invalid_type(Unexpected::Str(v), &Self::EXPECTING))
    }
    fn from_i64<E: de::Error>(v: i64) -> Result<Self, E> {
        Ok(v as f64)
    }
    fn from_u64<E: de::Error>(v: u64) -> Result<Self, E> {
        Ok(v as f64)
    }
    fn from_f64<E: de::Error>(v: f64) -> Result<Self, E> {
        Ok(v)
    }
    fn from_bool<E: de::Error>(v: bool) -> Result<Self, E> {
        Err(E::invalid_type(Unexpected::Bool(v), &Self::EXPECTING))
    }
}

impl Scalar for bool {
    const EXPECTING: &'static str = "a Boolean";
    fn from_str_value<E: de::Error>(v: &str) -> Result<Self, E> {
        let t = v.trim();
        if t.eq_ignore_ascii_case("true") || t == "1" {
            Ok(true)
        } else if t.eq_ignore_ascii_case("false") || t == "0" {
            Ok(false)
        } else {
            Err(E::invalid_type(Unexpected::Str(v), &Self::EXPECTING))
        }
    }
    fn from_i64<E: de::Error>(v: i64) -> Result<Self, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(Unexpected::Signed(v), &Self::EXPECTING)),
        }
    }
    fn from_u64<E: de::Error>(v: u64) -> Result<Self, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(Unexpected::Unsigned(v), &Self::EXPECTING)),
        }
    }
    fn from_f64<E: de::Error>(v: f64) -> Result<Self, E> {
        Err(E::invalid_type(Unexpected::Float(v), &Self::EXPECTING))
    }
    fn from_bool<E: de::Error>(v: bool) -> Result<Self, E> {
        Ok(v)
    }
}

/// A scalar decoded leniently.
pub(crate) struct Lenient<T>(pub(crate) T);

struct ScalarVisitor<T>(PhantomData<T>);

impl<'de, T: Scalar> Visitor<'de> for ScalarVisitor<T> {
    type Value = Lenient<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        T::from_str_value(v).map(Lenient)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::from_i64(v).map(Lenient)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::from_u64(v).map(Lenient)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::from_f64(v).map(Lenient)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::from_bool(v).map(Lenient)
    }
}

/// Strings get their own visitor so an owned string from the deserializer is not copied.
struct StringVisitor;

impl Visitor<'_> for StringVisitor {
    type Value = Lenient<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(<String as Scalar>::EXPECTING)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Lenient(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Lenient(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Lenient(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Lenient(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Lenient(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for Lenient<String> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

macro_rules! lenient_number {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for Lenient<$t> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(ScalarVisitor::<$t>(PhantomData))
            }
        }
    )*};
}
lenient_number!(i64, u64, f64, bool);

/// A required scalar.
pub(crate) fn req<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    Lenient<T>: Deserialize<'de>,
{
    Lenient::<T>::deserialize(d).map(|l| l.0)
}

/// An optional scalar; `null` is `None`.
pub(crate) fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    Lenient<T>: Deserialize<'de>,
{
    Option::<Lenient<T>>::deserialize(d).map(|o| o.map(|l| l.0))
}

/// A required list of scalars.
pub(crate) fn req_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    Lenient<T>: Deserialize<'de>,
{
    Vec::<Lenient<T>>::deserialize(d).map(|v| v.into_iter().map(|l| l.0).collect())
}

/// An optional list of scalars; `null` is `None`.
pub(crate) fn opt_vec<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    Lenient<T>: Deserialize<'de>,
{
    Option::<Vec<Lenient<T>>>::deserialize(d)
        .map(|o| o.map(|v| v.into_iter().map(|l| l.0).collect()))
}

/// A scalar whose absence or `null` means the type's default (a response's `RequestId`).
pub(crate) fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default,
    Lenient<T>: Deserialize<'de>,
{
    opt(d).map(Option::unwrap_or_default)
}

struct IntEnumVisitor(&'static str);

impl Visitor<'_> for IntEnumVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        i64::from_str_value::<E>(v).map_err(|_| E::invalid_type(Unexpected::Str(v), &self))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        i64::from_f64::<E>(v).map_err(|_| E::invalid_value(Unexpected::Float(v), &self))
    }
}

/// The raw value of an integer-valued open enum; `expecting` names the known values.
pub(crate) fn int_enum<'de, D: Deserializer<'de>>(
    d: D,
    expecting: &'static str,
) -> Result<i64, D::Error> {
    d.deserialize_any(IntEnumVisitor(expecting))
}

struct StringEnumVisitor(&'static str);

impl Visitor<'_> for StringEnumVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// The raw value of a string-valued open enum; `expecting` names the known values.
pub(crate) fn string_enum<'de, D: Deserializer<'de>>(
    d: D,
    expecting: &'static str,
) -> Result<String, D::Error> {
    d.deserialize_any(StringEnumVisitor(expecting))
}
