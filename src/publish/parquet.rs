//! Parquet writer: Arrow record batches of at most 100 000 rows, one per row group, through
//! `ArrowWriter` (SPEC section 6); only one batch is in memory at a time.
//!
//! Types: `utf8` strings (never large or view), `list<utf8>` with a nullable child named
//! `element` (the list itself never null), `boolean`, `int64`, `timestamp(us, "UTC")`; object
//! cells are their JSON text. ZSTD, coerced list layout, at most 100 000 rows per row group, and
//! key-value metadata naming the release, the schema version and the generator.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, BooleanArray, Int64Array, RecordBatch, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, FieldRef, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::cell::{self, Cell};
use super::schema::{Column, ColumnType, SCHEMA_VERSION};

/// Rows per row group at most.
pub const MAX_ROW_GROUP_ROWS: usize = 100_000;
/// Key-value metadata key holding the release id.
pub const META_RELEASE_ID: &str = "civicrawl.release_id";
/// Key-value metadata key holding [`SCHEMA_VERSION`].
pub const META_SCHEMA_VERSION: &str = "civicrawl.schema_version";
/// Key-value metadata key naming the program that wrote the file.
pub const META_GENERATOR: &str = "civicrawl.generator";
/// The time zone of every timestamp column.
pub const TIME_ZONE: &str = "UTC";
/// The name of a list's child field (the Parquet LIST convention).
pub const LIST_ITEM: &str = "element";

/// Writes `rows` as one Parquet file tagged with `release_id`.
pub(crate) fn write_parquet<R, W: Write + Send>(
    out: W,
    columns: &[Column<R>],
    rows: &[&R],
    release_id: &str,
) -> Result<(), ParquetError> {
    let schema = Arc::new(arrow_schema(columns));
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(properties(release_id)))?;
    for chunk in rows.chunks(MAX_ROW_GROUP_ROWS) {
        let arrays: Vec<ArrayRef> = columns.iter().map(|c| array(c, chunk)).collect();
        writer.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
        // Each batch is one row group: flushed before the next batch is built.
        writer.flush()?;
    }
    writer.close()?;
    Ok(())
}

/// The Arrow schema of a table, from its columns.
pub fn arrow_schema<R>(columns: &[Column<R>]) -> Schema {
    Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c.name, data_type(c.kind), !c.required))
            .collect::<Vec<_>>(),
    )
}

fn list_item() -> FieldRef {
    Arc::new(Field::new(LIST_ITEM, DataType::Utf8, true))
}

fn data_type(kind: ColumnType) -> DataType {
    match kind {
        ColumnType::String | ColumnType::Object => DataType::Utf8,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Datetime => DataType::Timestamp(TimeUnit::Microsecond, Some(TIME_ZONE.into())),
        ColumnType::List => DataType::List(list_item()),
    }
}

fn properties(release_id: &str) -> WriterProperties {
    let metadata = vec![
        KeyValue::new(META_RELEASE_ID.to_string(), release_id.to_string()),
        KeyValue::new(META_SCHEMA_VERSION.to_string(), SCHEMA_VERSION.to_string()),
        KeyValue::new(
            META_GENERATOR.to_string(),
            format!("civicrawl {}", env!("CARGO_PKG_VERSION")),
        ),
    ];
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_coerce_types(true)
        .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS))
        .set_key_value_metadata(Some(metadata))
        .build()
}

/// One column's values as an Arrow array of the column's type.
fn array<R>(column: &Column<R>, rows: &[&R]) -> ArrayRef {
    let cells = rows.iter().map(|r| cell::cell(column, *r));
    match column.kind {
        ColumnType::String | ColumnType::Object => {
            let mut builder = StringBuilder::with_capacity(rows.len(), rows.len() * 16);
            for c in cells {
                match c {
                    Cell::Str(v) => builder.append_option(v),
                    Cell::Object(fields, source) => {
                        builder.append_value(cell::object_text(fields, source))
                    }
                    _ => builder.append_null(),
                }
            }
            Arc::new(builder.finish())
        }
        ColumnType::Boolean => Arc::new(
            cells
                .map(|c| if let Cell::Bool(v) = c { v } else { None })
                .collect::<BooleanArray>(),
        ),
        ColumnType::Integer => Arc::new(
            cells
                .map(|c| if let Cell::Int(v) = c { v } else { None })
                .collect::<Int64Array>(),
        ),
        ColumnType::Datetime => Arc::new(
            cells
                .map(|c| match c {
                    Cell::Time(v) => v.map(|t| t.timestamp_micros()),
                    _ => None,
                })
                .collect::<TimestampMicrosecondArray>()
                .with_timezone(TIME_ZONE),
        ),
        ColumnType::List => {
            let mut builder = ListBuilder::new(StringBuilder::new()).with_field(list_item());
            for c in cells {
                if let Cell::List(items) = c {
                    for item in items {
                        builder.values().append_value(item);
                    }
                }
                builder.append(true);
            }
            Arc::new(builder.finish())
        }
    }
}
