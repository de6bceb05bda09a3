using Atlas.Compiler.Text;

namespace Atlas.Compiler.Model;

/// <summary>
/// The types every Atlas file has without declaring them, as the model's own declarations: the one list of their
/// fields that the binder (member lookup), the JSON schemas, the emitter and the interpreter read.
/// </summary>
public static class BuiltInTypes
{
    /// <summary>
    /// <c>Passage</c>, what <c>kb.search(...)</c> returns: <c>text</c>, <c>source</c>, <c>score</c>, <c>heading</c>
    /// (the Markdown heading path <c>A &gt; B</c>) and <c>title</c> (an HTML document's title). At run time it is
    /// <c>Atlas.Runtime.Passage</c>, whose JSON has these fields in this order (a test holds the two equal).
    /// </summary>
    public static readonly TypeModel Passage = new(
        TypeRef.Passage.Name,
        new EquatableArray<FieldModel>(new[]
        {
            new FieldModel("text", TypeRef.String),
            new FieldModel("source", TypeRef.String),
            new FieldModel("score", TypeRef.Float),
            new FieldModel("heading", TypeRef.String with { IsOptional = true }),
            new FieldModel("title", TypeRef.String with { IsOptional = true }),
        }));
}
