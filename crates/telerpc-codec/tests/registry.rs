//! `CodecRegistry`: lookups by id and name, and the rules for registering a codec.

use telerpc_codec::{id, Codec, CodecError, CodecRegistry, Json};

/// A codec that speaks nothing, registered under whatever id and name a test needs.
#[derive(Debug)]
struct Named {
    id: u8,
    name: &'static str,
}

impl Codec for Named {
    fn id(&self) -> u8 {
        self.id
    }

    fn name(&self) -> &'static str {
        self.name
    }
}

#[test]
fn the_standard_registry_holds_exactly_the_five_built_ins_in_id_order() {
    let listed: Vec<(u8, &str)> = CodecRegistry::standard()
        .iter()
        .map(|codec| (codec.id(), codec.name()))
        .collect();
    assert_eq!(
        listed,
        [
            (id::BINCODE, "bincode"),
            (id::FORM, "form"),
            (id::JSON, "json"),
            (id::PROTOBUF, "protobuf"),
            (id::PLAIN, "plain"),
        ]
    );
    assert_eq!(
        format!("{:?}", CodecRegistry::standard()),
        r#"{'b': "bincode", 'f': "form", 'j': "json", 'p': "protobuf", 's': "plain"}"#
    );
}

#[test]
fn codecs_are_found_by_id_and_by_name() {
    let codecs = CodecRegistry::default();
    for codec in codecs.iter() {
        assert_eq!(codecs.get(codec.id()).unwrap().name(), codec.name());
        assert_eq!(codecs.by_name(codec.name()).unwrap().id(), codec.id());
    }
    assert!(codecs.get(id::THRIFT).is_none());
    assert!(codecs.get(id::NONE).is_none());
    assert!(codecs.by_name("thrift").is_none());
}

#[test]
fn require_names_the_unknown_id() {
    let error = CodecRegistry::default().require(id::XML).unwrap_err();
    assert!(matches!(error, CodecError::UnknownCodec(id::XML)));
    assert_eq!(error.to_string(), "unknown body codec id 0x78");
}

#[test]
fn a_new_registry_is_empty_and_takes_codecs() -> Result<(), CodecError> {
    let mut codecs = CodecRegistry::new();
    assert_eq!(codecs.iter().count(), 0);
    codecs.register(Json)?.register(Named {
        id: b'm',
        name: "msgpack",
    })?;
    assert_eq!(codecs.require(b'm')?.name(), "msgpack");
    assert_eq!(codecs.iter().count(), 2);
    Ok(())
}

#[test]
fn a_taken_id_is_refused_and_the_holder_kept() {
    let error = CodecRegistry::default()
        .with(Named {
            id: id::JSON,
            name: "json2",
        })
        .unwrap_err();
    assert!(matches!(
        error,
        CodecError::IdTaken {
            id: id::JSON,
            existing: "json"
        }
    ));

    let mut codecs = CodecRegistry::default();
    assert!(codecs
        .register(Named {
            id: id::JSON,
            name: "json2"
        })
        .is_err());
    assert_eq!(codecs.get(id::JSON).unwrap().name(), "json");
}

#[test]
fn a_taken_name_is_refused() {
    let error = CodecRegistry::default()
        .with(Named {
            id: b'J',
            name: "json",
        })
        .unwrap_err();
    assert!(matches!(
        error,
        CodecError::NameTaken {
            name: "json",
            existing: id::JSON
        }
    ));
}

#[test]
fn id_zero_is_reserved() {
    let error = CodecRegistry::new()
        .with(Named {
            id: id::NONE,
            name: "none",
        })
        .unwrap_err();
    assert!(matches!(error, CodecError::ReservedId));
}

#[test]
fn the_erpc_ids_are_the_spec_table() {
    assert_eq!(id::ERPC_RESERVED, *b"jptxsf");
    assert!(!id::ERPC_RESERVED.contains(&id::BINCODE));
}
