//! A serde serializer that writes Python objects straight away: a result's JSON form
//! (exactly what `serde_json::to_value` would give) without building the JSON value
//! first. Struct field names are made into Python strings once and reused.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Display;
use std::hash::{BuildHasherDefault, Hasher};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString};
use pyo3::BoundObject;
use serde::ser::{self, Serialize};

/// `value`'s JSON form as plain Python objects (None, bool, int, float, str, list,
/// dict).
pub(crate) fn to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    value.serialize(Writer { py }).map_err(|e| e.0)
}

/// A serializer error carrying the Python exception.
pub(crate) struct WriteError(PyErr);

impl std::fmt::Debug for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<M: Display>(msg: M) -> Self {
        WriteError(PyValueError::new_err(msg.to_string()))
    }
}

impl From<PyErr> for WriteError {
    fn from(e: PyErr) -> Self {
        WriteError(e)
    }
}

type Out<'py> = Result<Bound<'py, PyAny>, WriteError>;

/// A name's address and length.
type NameKey = (usize, usize);
type NameCache = HashMap<NameKey, Py<PyString>, BuildHasherDefault<AddressHasher>>;

thread_local! {
    /// Python strings of struct field and variant names, made once per name and
    /// thread, keyed by the address and length of the name: serde's derives pass the
    /// same `&'static str` every time.
    static NAMES: RefCell<NameCache> = RefCell::new(HashMap::default());
}

fn field_name<'py>(py: Python<'py>, name: &'static str) -> Bound<'py, PyString> {
    NAMES.with(|names| {
        names
            .borrow_mut()
            .entry((name.as_ptr() as usize, name.len()))
            .or_insert_with(|| PyString::intern(py, name).unbind())
            .bind(py)
            .clone()
    })
}

/// A hasher for (address, length) keys: it only mixes the bits of each word.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(29) ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[derive(Clone, Copy)]
struct Writer<'py> {
    py: Python<'py>,
}

impl<'py> Writer<'py> {
    fn int(self, v: impl IntoPyObject<'py>) -> Out<'py> {
        Ok(v.into_pyobject(self.py)
            .map_err(Into::into)?
            .into_any()
            .into_bound())
    }

    fn tagged(self, variant: &'static str, inner: Bound<'py, PyAny>) -> Out<'py> {
        let dict = PyDict::new(self.py);
        dict.set_item(field_name(self.py, variant), inner)?;
        Ok(dict.into_any())
    }
}

impl<'py> ser::Serializer for Writer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = WriteError;
    type SerializeSeq = Seq<'py>;
    type SerializeTuple = Seq<'py>;
    type SerializeTupleStruct = Seq<'py>;
    type SerializeTupleVariant = Seq<'py>;
    type SerializeMap = Map<'py>;
    type SerializeStruct = Map<'py>;
    type SerializeStructVariant = Map<'py>;

    fn serialize_bool(self, v: bool) -> Out<'py> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn serialize_i8(self, v: i8) -> Out<'py> {
        self.int(v)
    }
    fn serialize_i16(self, v: i16) -> Out<'py> {
        self.int(v)
    }
    fn serialize_i32(self, v: i32) -> Out<'py> {
        self.int(v)
    }
    fn serialize_i64(self, v: i64) -> Out<'py> {
        self.int(v)
    }
    fn serialize_i128(self, v: i128) -> Out<'py> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Out<'py> {
        self.int(v)
    }
    fn serialize_u16(self, v: u16) -> Out<'py> {
        self.int(v)
    }
    fn serialize_u32(self, v: u32) -> Out<'py> {
        self.int(v)
    }
    fn serialize_u64(self, v: u64) -> Out<'py> {
        self.int(v)
    }
    fn serialize_u128(self, v: u128) -> Out<'py> {
        self.int(v)
    }
    fn serialize_f32(self, v: f32) -> Out<'py> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Out<'py> {
        // As serde_json: a number that is not finite has no JSON form and becomes null.
        if v.is_finite() {
            Ok(PyFloat::new(self.py, v).into_any())
        } else {
            Ok(self.py.None().into_bound(self.py))
        }
    }
    fn serialize_char(self, v: char) -> Out<'py> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Out<'py> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn serialize_bytes(self, v: &[u8]) -> Out<'py> {
        Ok(PyList::new(self.py, v)?.into_any())
    }
    fn serialize_none(self) -> Out<'py> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Out<'py> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Out<'py> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Out<'py> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Out<'py> {
        Ok(field_name(self.py, variant).into_any())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Out<'py> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Out<'py> {
        let inner = value.serialize(self)?;
        self.tagged(variant, inner)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'py>, WriteError> {
        Ok(Seq::new(self, None))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'py>, WriteError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Seq<'py>, WriteError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Seq<'py>, WriteError> {
        Ok(Seq::new(self, Some(variant)))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'py>, WriteError> {
        Ok(Map::new(self, None))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Map<'py>, WriteError> {
        Ok(Map::new(self, None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Map<'py>, WriteError> {
        Ok(Map::new(self, Some(variant)))
    }
}

/// A list being written; `variant` wraps it as `{variant: [...]}` at the end.
pub(crate) struct Seq<'py> {
    writer: Writer<'py>,
    items: Bound<'py, PyList>,
    variant: Option<&'static str>,
}

impl<'py> Seq<'py> {
    fn new(writer: Writer<'py>, variant: Option<&'static str>) -> Self {
        Seq {
            writer,
            items: PyList::empty(writer.py),
            variant,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.items.append(value.serialize(self.writer)?)?;
        Ok(())
    }

    fn finish(self) -> Out<'py> {
        match self.variant {
            Some(variant) => self.writer.tagged(variant, self.items.into_any()),
            None => Ok(self.items.into_any()),
        }
    }
}

/// The four list-like serde traits, all pushing onto a `Seq`.
macro_rules! list_like {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<'py> ser::$trait for Seq<'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = WriteError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
                self.push(value)
            }
            fn end(self) -> Out<'py> {
                self.finish()
            }
        }
    )*};
}

list_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// A dict being written; `variant` wraps it as `{variant: {...}}` at the end.
pub(crate) struct Map<'py> {
    writer: Writer<'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
    variant: Option<&'static str>,
}

impl<'py> Map<'py> {
    fn new(writer: Writer<'py>, variant: Option<&'static str>) -> Self {
        Map {
            writer,
            dict: PyDict::new(writer.py),
            key: None,
            variant,
        }
    }

    fn field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        let value = value.serialize(self.writer)?;
        self.dict
            .set_item(field_name(self.writer.py, name), value)?;
        Ok(())
    }

    fn finish(self) -> Out<'py> {
        match self.variant {
            Some(variant) => self.writer.tagged(variant, self.dict.into_any()),
            None => Ok(self.dict.into_any()),
        }
    }
}

impl<'py> ser::SerializeMap for Map<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = WriteError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        // As serde_json: keys are strings, and number keys are written as strings.
        let key = key.serialize(self.writer)?;
        let key = if key.is_instance_of::<PyString>() {
            key
        } else {
            key.str()?.into_any()
        };
        self.key = Some(key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <WriteError as ser::Error>::custom("a map value without a key"))?;
        self.dict.set_item(key, value.serialize(self.writer)?)?;
        Ok(())
    }
    fn end(self) -> Out<'py> {
        self.finish()
    }
}

/// The two struct-like serde traits, both writing named fields into a `Map`.
macro_rules! struct_like {
    ($($trait:ident),*) => {$(
        impl<'py> ser::$trait for Map<'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = WriteError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                value: &T,
            ) -> Result<(), WriteError> {
                self.field(name, value)
            }
            fn end(self) -> Out<'py> {
                self.finish()
            }
        }
    )*};
}

struct_like!(SerializeStruct, SerializeStructVariant);
