using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Atlas.Compiler.Binding;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Tests.Binding;

/// <summary>
/// Random syntax trees (names drawn from a small pool so they collide, values of every kind in every
/// place, nulls included) must bind without an exception or an internal-error diagnostic.
/// </summary>
public class BinderFuzzTests
{
    private static readonly string[] Names =
    {
        "a", "b", "p", "r", "T", "E", "kb", "w", "x", "t", "string", "int", "Passage", "search", "kind", "model", "use",
        "prompt", "size", "overlap", "chunking", "recursive", "markdown", "env", "sqlite", "mock", "openai", "chat", "json", "_",
    };

    private sealed class TreeMaker
    {
        private readonly Random _random;
        private readonly SourceFile _file;

        public TreeMaker(int seed, SourceFile file)
        {
            _random = new Random(seed);
            _file = file;
        }

        private TextSpan Span()
        {
            int start = _random.Next(_file.Text.Length + 1);
            return new TextSpan(start, _random.Next(_file.Text.Length - start + 1));
        }

        private bool Chance(int percent) => _random.Next(100) < percent;

        private IdentifierSyntax Id() => Chance(2) ? null! : new IdentifierSyntax(Names[_random.Next(Names.Length)], Span());

        private ImmutableArray<T> Many<T>(Func<T> make, int max) =>
            Chance(3) ? default : Enumerable.Range(0, _random.Next(max + 1)).Select(_ => make()).ToImmutableArray();

        private TypeRefSyntax Type() => Chance(2) ? null! : new TypeRefSyntax(Id(), Chance(30), Chance(20), Span());

        private ValueSyntax Value(int depth)
        {
            switch (_random.Next(depth > 3 ? 6 : 9))
            {
                case 0:
                    string text = Chance(50) ? "{{" + Names[_random.Next(Names.Length)] + "." + Names[_random.Next(Names.Length)] + "}}" : "{{for x in " + Names[_random.Next(Names.Length)] + "}}{{x}}{{end}}";
                    return new StringValueSyntax(text, SourceMap.Contiguous(0, text.Length), Span(), Chance(30));
                case 1:
                    double number = _random.Next(-3, 1000) * (Chance(20) ? 0.5 : 1);
                    return new NumberValueSyntax(Chance(3) ? double.NaN : number, Chance(70), number.ToString(System.Globalization.CultureInfo.InvariantCulture), Span());
                case 2: return new BoolValueSyntax(Chance(50), Span());
                case 3: return new DurationValueSyntax(_random.Next(-5, 100000), "1s", Span());
                case 4: return new NameValueSyntax(Id(), Span());
                case 5: return Chance(5) ? null! : new NameValueSyntax(Id(), Span());
                case 6: return new ListValueSyntax(Many(() => Value(depth + 1), 4), Span());
                case 7: return new CallValueSyntax(Id(), Many(() => Value(depth + 1), 2), Span());
                default: return new BlockValueSyntax(Chance(50) ? Id() : null, Block(depth + 1), Span());
            }
        }

        private BlockSyntax Block(int depth) =>
            Chance(3) ? null! : new BlockSyntax(Many(() => new AttributeSyntax(Id(), Value(depth), Span()), 6), Span());

        private ExpressionSyntax Expression(int depth)
        {
            if (Chance(2)) return null!;
            switch (_random.Next(depth > 4 ? 2 : 9))
            {
                case 0: return new NameExpressionSyntax(Id(), Span());
                case 1: return new LiteralExpressionSyntax(Value(4), Span());
                case 2: return new MemberAccessSyntax(Expression(depth + 1), Id(), Span());
                case 3: return new CallExpressionSyntax(Expression(depth + 1), Many(() => new ArgumentSyntax(Chance(40) ? Id() : null, Expression(depth + 1), Span()), 3), Chance(20) ? Block(depth) : null, Span());
                case 4: return new ListExpressionSyntax(Many(() => Expression(depth + 1), 3), Span());
                case 5: return new ObjectExpressionSyntax(Id(), Many(() => new FieldInitializerSyntax(Id(), Expression(depth + 1), Span()), 3), Span());
                case 6: return new SwitchExpressionSyntax(Expression(depth + 1), Many(() => new SwitchCaseSyntax(Chance(20) ? null : Value(4), Expression(depth + 1), Span(), Span()), 4), Span(), Span());
                case 7: return new ForExpressionSyntax(Id(), Expression(depth + 1), Chance(50) ? (NumberValueSyntax)new NumberValueSyntax(_random.Next(-1, 10), true, "n", Span()) : null, Expression(depth + 1), Span());
                default: return new NameExpressionSyntax(Id(), Span());
            }
        }

        private ImmutableArray<ParameterSyntax> Parameters() => Many(() => new ParameterSyntax(Id(), Type(), Span()), 3);

        private DeclarationSyntax Declaration()
        {
            switch (_random.Next(10))
            {
                case 0: return new ProviderSyntax(Id(), Block(0), Span());
                case 1: return new RouteSyntax(Id(), Block(0), Span());
                case 2: return new McpSyntax(Id(), Block(0), Span());
                case 3: return new KnowledgeSyntax(Id(), Block(0), Span());
                case 4: return new EnumSyntax(Id(), Many(Id, 4), Span());
                case 5: return new TypeSyntax(Id(), Many(() => new FieldSyntax(Id(), Type(), Span()), 4), Span());
                case 6: return new AgentSyntax(Id(), Parameters(), Type(), Block(0), Span());
                case 7: return new ToolSyntax(Id(), Parameters(), Type(), Span());
                case 8: return new HumanSyntax(Id(), Parameters(), Type(), Block(0), Span());
                default:
                    return new WorkflowSyntax(
                        Id(),
                        Parameters(),
                        Type(),
                        Many(() => new StepSyntax(Id(), Expression(0), Span()), 5),
                        Chance(80) ? new ReturnSyntax(Expression(0), Span()) : null,
                        Span());
            }
        }

        public SyntaxTree Tree() => new(_file, Many(Declaration, 12));
    }

    [Fact]
    public void Bind_RandomTrees_NeverThrowsOrReportsAnInternalError()
    {
        var file = new SourceFile("fuzz.atlas", "provider p { kind = mock }\nworkflow w() -> int { return 1 }\n");
        for (int seed = 0; seed < 2000; seed++)
        {
            var maker = new TreeMaker(seed, file);
            var trees = new[] { maker.Tree(), maker.Tree() };
            var diagnostics = new DiagnosticBag();
            Binder.Bind(trees, diagnostics, CancellationToken.None);
            var internalError = diagnostics.ToSortedArray().FirstOrDefault(d => d.Id == "ATL9001");
            Assert.True(internalError is null, $"seed {seed}: {internalError}");
        }
    }
}
