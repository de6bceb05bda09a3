namespace Atlas.Compiler.Emit;

// human h(...) -> R  →  public sealed partial class HHuman
public static partial class CSharpEmitter
{
    private static string EmitHuman(HumanUnit unit)
    {
        var human = unit.Human;
        var callable = new CallableClass("Human", CSharpNames.HumanClass(human.Name), human.Name, human.Parameters, human.Returns, unit.Options.Namespace);
        var w = callable.Start(unit.Options, $"The Atlas human <c>{callable.Signature}</c>: a question a person answers.");
        w.WriteLine("/// <summary>What the runtime needs to ask this question: parameters, result schema, prompt template, timeout.</summary>");
        w.WriteLine("public static HumanDescriptor Descriptor { get; } = new(");
        w.Indent();
        var descriptor = callable.DescriptorStart(unit.ResultSchema);
        descriptor.Add(TemplateLines("Prompt: ", human.Prompt));
        if (human.TimeoutMs is { } timeout) descriptor.Add(Lines("Timeout: " + CSharpLiterals.TimeSpan(timeout)));
        WriteArguments(w, descriptor);
        w.Unindent();
        w.WriteLine(");");
        w.WriteLine();

        callable.WriteInvoke(
            w,
            "AskHumanAsync",
            "Creates the human on a runtime (whose <see cref=\"AtlasRuntimeOptions.HumanInput\"/> answers, or whose run store records the question).",
            "Asks the question once and returns the validated, typed answer.",
            "Asks the question as part of a workflow step (the run waits for the answer in <paramref name=\"step\"/>).");
        callable.WriteCreateArguments(w);
        w.CloseBrace();
        return w.ToString();
    }
}
