using System;
using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;

namespace Atlas.Runtime;

/// <summary>JSON schemas (JsonSchema.Net) built once per schema text, with the parsed element. Thread-safe.</summary>
internal sealed class SchemaCache
{
    private readonly ConcurrentDictionary<string, Lazy<(JsonSchema Schema, JsonElement Element)>> _schemas = new(StringComparer.Ordinal);

    public (JsonSchema Schema, JsonElement Element) Get(string schemaText) =>
        _schemas.GetOrAdd(schemaText, text => new Lazy<(JsonSchema, JsonElement)>(() =>
        {
            using var document = JsonDocument.Parse(text);
            var element = document.RootElement.Clone();
            // A registry per schema: two agents' (or tools') schemas may reuse an $id without clashing.
            var schema = JsonSchema.Build(element, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
            return (schema, element);
        })).Value;
}
