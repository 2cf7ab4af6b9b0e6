//! Lenient decoding of scalars, used by the generated code through `deserialize_with`.
//!
//! The service does not always send the type its spec documents: a string member may arrive as a
//! number (`"AsyncRequestId": 4773`), an integer as a string (`"2"`), a float as an integer.
//! These helpers accept those forms; encoding always uses the documented type. `null` decodes as
//! `None` for optional members.
//!
//! Two flavours, chosen by the generator from where a member lives:
//!
//! - **Parameters** (`req`, `opt`, `req_vec`, `opt_vec`): what a caller wrote. `""` for an
//!   integer is an error, and so is `null` inside a list.
//! - **Answers** (`opt_answer`, `opt_vec_answer`, `opt_list_answer`): what the service sent,
//!   which must decode whenever it can. `""` (or blanks) in an optional number, boolean or
//!   integer enumeration means absent, and `null` inside a list is skipped.
//!
//! In both, a number that does not fit the member's type is an error, never clamped or wrapped.
//!
//! Every visitor also accepts the form numbers take when some crate in the build turns on
//! `serde_json/arbitrary_precision`: a one-entry map holding the number's text (see
//! [`NUMBER_TOKEN`]).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

/// The key under which `serde_json` with `arbitrary_precision` hands over a number as text (a
/// float, or an integer beyond 64 bits). `serde_json` keeps the name private but it is part of
/// its wire contract with `serde_json::Number`'s own decoder; the models' tests run once with
/// the feature on so a change would be caught.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A scalar type with a lenient decoder.
pub(crate) trait Scalar: Sized {
    /// What the decoder expects, for error messages.
    const EXPECTING: &'static str;
    /// Whether a blank string in an optional member of an answer means "absent" (numbers,
    /// booleans, integer enumerations) rather than a value (strings).
    const BLANK_IS_ABSENT: bool;
    fn from_str_value<E: de::Error>(v: &str) -> Result<Self, E>;
    /// An owned string; strings override this to avoid a copy.
    fn from_string<E: de::Error>(v: String) -> Result<Self, E> {
        Self::from_str_value(&v)
    }
    fn from_i64<E: de::Error>(v: i64) -> Result<Self, E>;
    fn from_u64<E: de::Error>(v: u64) -> Result<Self, E>;
    fn from_f64<E: de::Error>(v: f64) -> Result<Self, E>;
    fn from_bool<E: de::Error>(v: bool) -> Result<Self, E>;
    /// A number as text: from `arbitrary_precision`, or a 128-bit integer. Strings keep the text.
    fn from_number_text<E: de::Error>(text: &str) -> Result<Self, E> {
        if let Ok(i) = text.parse::<i64>() {
            Self::from_i64(i)
        } else if let Ok(u) = text.parse::<u64>() {
            Self::from_u64(u)
        } else {
            match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Self::from_f64(f),
                _ => Err(E::invalid_value(Unexpected::Other(text), &Self::EXPECTING)),
            }
        }
    }
}

impl Scalar for String {
    const EXPECTING: &'static str = "a String";
    const BLANK_IS_ABSENT: bool = false;
    fn from_str_value<E: de::Error>(v: &str) -> Result<Self, E> {
        Ok(v.to_owned())
    }
    fn from_string<E: de::Error>(v: String) -> Result<Self, E> {
        Ok(v)
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
    fn from_number_text<E: de::Error>(text: &str) -> Result<Self, E> {
        Ok(text.to_owned())
    }
}

/// Integers: exact conversions only. A value outside the type's range is an `invalid value`
/// error; a float is accepted only when it is a whole number inside the range.
macro_rules! integer {
    ($($t:ty => $expecting:literal),* $(,)?) => {$(
        impl Scalar for $t {
            const EXPECTING: &'static str = $expecting;
            const BLANK_IS_ABSENT: bool = true;
            fn from_str_value<E: de::Error>(v: &str) -> Result<Self, E> {
                let t = v.trim();
                if let Ok(n) = t.parse::<i128>() {
                    return <$t>::try_from(n)
                        .map_err(|_| E::invalid_value(Unexpected::Str(v), &Self::EXPECTING));
                }
                match t.parse::<f64>().ok().filter(|f| f.is_finite() && f.fract() == 0.0) {
                    Some(f) => Self::from_f64(f)
                        .map_err(|_: E| E::invalid_value(Unexpected::Str(v), &Self::EXPECTING)),
                    None => Err(E::invalid_type(Unexpected::Str(v), &Self::EXPECTING)),
                }
            }
            fn from_i64<E: de::Error>(v: i64) -> Result<Self, E> {
                <$t>::try_from(v)
                    .map_err(|_| E::invalid_value(Unexpected::Signed(v), &Self::EXPECTING))
            }
            fn from_u64<E: de::Error>(v: u64) -> Result<Self, E> {
                <$t>::try_from(v)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &Self::EXPECTING))
            }
            fn from_f64<E: de::Error>(v: f64) -> Result<Self, E> {
                // MAX is 2^k - 1; as f64 plus one it is 2^k exactly (rounding absorbs the one
                // for 64-bit types), the first value out of range.
                let below = <$t>::MIN as f64;
                let above = <$t>::MAX as f64 + 1.0;
                if v.is_finite() && v.fract() == 0.0 && v >= below && v < above {
                    Ok(v as $t)
                } else {
                    Err(E::invalid_value(Unexpected::Float(v), &Self::EXPECTING))
                }
            }
            fn from_bool<E: de::Error>(v: bool) -> Result<Self, E> {
                Err(E::invalid_type(Unexpected::Bool(v), &Self::EXPECTING))
            }
        }
    )*};
}

integer!(
    i64 => "an Integer",
    u64 => "a non-negative Integer",
    i32 => "an Integer from -2147483648 to 2147483647",
    u32 => "an Integer from 0 to 4294967295",
    u8 => "an Integer from 0 to 255",
);

impl Scalar for f64 {
    const EXPECTING: &'static str = "a Float";
    const BLANK_IS_ABSENT: bool = true;
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
    const BLANK_IS_ABSENT: bool = true;
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

/// Makes a generated open enumeration a [`Scalar`] and gives it its `Deserialize`.
///
/// `int_enum!(Name, "expecting")` for an integer enum (`From<i64>`): the integer may come as a
/// string, and a blank string in an answer is absent. `string_enum!(Name, "expecting")` for a
/// string enum (`From<String>`): numbers are taken as their text.
macro_rules! int_enum {
    ($name:ident, $expecting:literal) => {
        impl $crate::lenient::Scalar for $name {
            const EXPECTING: &'static str = $expecting;
            const BLANK_IS_ABSENT: bool = true;
            fn from_str_value<E: serde::de::Error>(v: &str) -> Result<Self, E> {
                <i64 as $crate::lenient::Scalar>::from_str_value(v)
                    .map($name::from)
                    .map_err(|_: E| {
                        E::invalid_type(serde::de::Unexpected::Str(v), &Self::EXPECTING)
                    })
            }
            fn from_i64<E: serde::de::Error>(v: i64) -> Result<Self, E> {
                Ok($name::from(v))
            }
            fn from_u64<E: serde::de::Error>(v: u64) -> Result<Self, E> {
                i64::try_from(v).map($name::from).map_err(|_| {
                    E::invalid_value(serde::de::Unexpected::Unsigned(v), &Self::EXPECTING)
                })
            }
            fn from_f64<E: serde::de::Error>(v: f64) -> Result<Self, E> {
                <i64 as $crate::lenient::Scalar>::from_f64(v)
                    .map($name::from)
                    .map_err(|_: E| {
                        E::invalid_value(serde::de::Unexpected::Float(v), &Self::EXPECTING)
                    })
            }
            fn from_bool<E: serde::de::Error>(v: bool) -> Result<Self, E> {
                Err(E::invalid_type(
                    serde::de::Unexpected::Bool(v),
                    &Self::EXPECTING,
                ))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::lenient::req(d)
            }
        }
    };
}

macro_rules! string_enum {
    ($name:ident, $expecting:literal) => {
        impl $crate::lenient::Scalar for $name {
            const EXPECTING: &'static str = $expecting;
            const BLANK_IS_ABSENT: bool = false;
            fn from_str_value<E: serde::de::Error>(v: &str) -> Result<Self, E> {
                Ok($name::from(v))
            }
            fn from_string<E: serde::de::Error>(v: String) -> Result<Self, E> {
                Ok($name::from(v))
            }
            fn from_i64<E: serde::de::Error>(v: i64) -> Result<Self, E> {
                Ok($name::from(v.to_string()))
            }
            fn from_u64<E: serde::de::Error>(v: u64) -> Result<Self, E> {
                Ok($name::from(v.to_string()))
            }
            fn from_f64<E: serde::de::Error>(v: f64) -> Result<Self, E> {
                Err(E::invalid_type(
                    serde::de::Unexpected::Float(v),
                    &Self::EXPECTING,
                ))
            }
            fn from_bool<E: serde::de::Error>(v: bool) -> Result<Self, E> {
                Err(E::invalid_type(
                    serde::de::Unexpected::Bool(v),
                    &Self::EXPECTING,
                ))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::lenient::req(d)
            }
        }
    };
}

pub(crate) use {int_enum, string_enum};

/// What counts as "no value" where a scalar is expected.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Absent {
    /// Nothing: a value is required (`null` is an error).
    Never,
    /// `null`.
    Null,
    /// `null`, and for types where that makes sense a blank string (answers only).
    NullOrBlank,
}

/// Decodes one scalar, or `None` for what `absent` allows.
struct ScalarSeed<T> {
    absent: Absent,
    _t: PhantomData<T>,
}

impl<T> Clone for ScalarSeed<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ScalarSeed<T> {}

impl<T> ScalarSeed<T> {
    fn new(absent: Absent) -> Self {
        ScalarSeed {
            absent,
            _t: PhantomData,
        }
    }
}

impl<'de, T: Scalar> DeserializeSeed<'de> for ScalarSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Scalar> Visitor<'de> for ScalarSeed<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        match self.absent {
            Absent::Never => Err(E::invalid_type(Unexpected::Unit, &self)),
            _ => Ok(None),
        }
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if self.blank_is_absent(v) {
            return Ok(None);
        }
        T::from_str_value(v).map(Some)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        if self.blank_is_absent(&v) {
            return Ok(None);
        }
        T::from_string(v).map(Some)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::from_i64(v).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::from_u64(v).map(Some)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        T::from_number_text(&v.to_string()).map(Some)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        T::from_number_text(&v.to_string()).map(Some)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::from_f64(v).map(Some)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::from_bool(v).map(Some)
    }
    /// A number under `arbitrary_precision`; any other map is the wrong type.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<std::borrow::Cow<'de, str>>()? {
            Some(key) if key == NUMBER_TOKEN => {
                let text: std::borrow::Cow<'de, str> = map.next_value()?;
                T::from_number_text(&text).map(Some)
            }
            _ => Err(de::Error::invalid_type(Unexpected::Map, &self)),
        }
    }
}

impl<T: Scalar> ScalarSeed<T> {
    fn blank_is_absent(&self, v: &str) -> bool {
        self.absent == Absent::NullOrBlank && T::BLANK_IS_ABSENT && v.trim().is_empty()
    }
}

/// Decodes `T` with its own `Deserialize`, `null` as `None` (structures inside answers' lists).
struct OptionSeed<T>(PhantomData<T>);

impl<T> Clone for OptionSeed<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for OptionSeed<T> {}

impl<'de, T: de::Deserialize<'de>> DeserializeSeed<'de> for OptionSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        <Option<T> as de::Deserialize<'de>>::deserialize(d)
    }
}

/// A list whose elements decode through `S`; elements that decode as `None` are skipped.
struct ListVisitor<S>(S);

impl<'de, T, S> Visitor<'de> for ListVisitor<S>
where
    S: DeserializeSeed<'de, Value = Option<T>> + Copy,
{
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // The hint comes from the input; cap it so a hostile length cannot reserve much.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(self.0)? {
            out.extend(item);
        }
        Ok(out)
    }
}

/// `null` as `None`, anything else a list through [`ListVisitor`].
struct OptListVisitor<S>(S);

impl<'de, T, S> Visitor<'de> for OptListVisitor<S>
where
    S: DeserializeSeed<'de, Value = Option<T>> + Copy,
{
    type Value = Option<Vec<T>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(ListVisitor(self.0)).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        ListVisitor(self.0).visit_seq(seq).map(Some)
    }
}

fn required<T, E: de::Error>(v: Option<T>) -> Result<T, E> {
    // A seed with `Absent::Never` never answers `None`; this keeps the type honest.
    v.ok_or_else(|| E::custom("a value is required"))
}

/// A required scalar of a request.
pub(crate) fn req<'de, D: Deserializer<'de>, T: Scalar>(d: D) -> Result<T, D::Error> {
    ScalarSeed::<T>::new(Absent::Never)
        .deserialize(d)
        .and_then(required)
}

/// An optional scalar of a request; `null` is `None`.
pub(crate) fn opt<'de, D: Deserializer<'de>, T: Scalar>(d: D) -> Result<Option<T>, D::Error> {
    ScalarSeed::<T>::new(Absent::Null).deserialize(d)
}

/// A required list of scalars of a request; every element must be a value.
pub(crate) fn req_vec<'de, D: Deserializer<'de>, T: Scalar>(d: D) -> Result<Vec<T>, D::Error> {
    d.deserialize_seq(ListVisitor(ScalarSeed::<T>::new(Absent::Never)))
}

/// An optional list of scalars of a request; `null` is `None`, every element must be a value.
pub(crate) fn opt_vec<'de, D: Deserializer<'de>, T: Scalar>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    d.deserialize_option(OptListVisitor(ScalarSeed::<T>::new(Absent::Never)))
}

/// A scalar whose absence or `null` means the type's default (a response's `RequestId`).
pub(crate) fn or_default<'de, D: Deserializer<'de>, T: Scalar + Default>(
    d: D,
) -> Result<T, D::Error> {
    opt(d).map(Option::unwrap_or_default)
}

/// An optional scalar (or open enumeration) of an answer: `null`, and `""` where the type is not
/// text, are `None`.
pub(crate) fn opt_answer<'de, D: Deserializer<'de>, T: Scalar>(
    d: D,
) -> Result<Option<T>, D::Error> {
    ScalarSeed::<T>::new(Absent::NullOrBlank).deserialize(d)
}

/// An optional list of scalars of an answer: `null` elements (and `""` where the type is not
/// text) are skipped.
pub(crate) fn opt_vec_answer<'de, D: Deserializer<'de>, T: Scalar>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    d.deserialize_option(OptListVisitor(ScalarSeed::<T>::new(Absent::NullOrBlank)))
}

/// An optional list of structures of an answer: `null` elements are skipped.
pub(crate) fn opt_list_answer<'de, D: Deserializer<'de>, T: de::Deserialize<'de>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    d.deserialize_option(OptListVisitor(OptionSeed::<T>(PhantomData)))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    /// A member narrower than any the spec uses today, to pin the range rule for every width.
    #[derive(Debug, Deserialize)]
    struct Narrow {
        #[serde(rename = "Percent", default, deserialize_with = "super::opt_answer")]
        percent: Option<u8>,
    }

    #[test]
    fn narrow_integers_refuse_out_of_range_values() {
        let ok: Narrow = serde_json::from_value(json!({"Percent": "255"})).unwrap();
        assert_eq!(ok.percent, Some(255));
        for bad in [
            json!(300),
            json!(-1),
            json!("256"),
            json!(255.5),
            json!(1e300),
        ] {
            let err = serde_json::from_value::<Narrow>(json!({ "Percent": bad })).unwrap_err();
            assert!(
                err.to_string()
                    .contains("expected an Integer from 0 to 255"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn float_bounds_are_exclusive_at_two_to_the_64() {
        let two_64 = 18_446_744_073_709_551_616.0_f64;
        assert!(<u64 as super::Scalar>::from_f64::<serde_json::Error>(two_64).is_err());
        assert!(<i64 as super::Scalar>::from_f64::<serde_json::Error>(two_64 / 2.0).is_err());
        assert_eq!(
            <i64 as super::Scalar>::from_f64::<serde_json::Error>(-two_64 / 2.0).unwrap(),
            i64::MIN
        );
    }
}
