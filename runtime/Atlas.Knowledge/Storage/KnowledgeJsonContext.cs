using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Atlas.Knowledge;

[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class KnowledgeJsonContext : JsonSerializerContext;
