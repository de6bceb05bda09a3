using System.Linq;
using Atlas.Compiler.Model;
using static Atlas.Compiler.Tests.Binding.BindingAssert;

namespace Atlas.Compiler.Tests.Binding;

public class ExpressionBindingTests
{
    /// <summary>Declarations every expression test builds on; on its own it binds with no diagnostics.</summary>
    internal const string Prelude = """"
        provider p { kind = mock }
        enum Category { billing, bug, other }
        type Ticket {
          id: string
          body: string
          category: Category
        }
        type Reply {
          ticket: string
          answer: string
          note: string?
        }
        agent classify(ticket: Ticket) -> Category { model = p, prompt = "{{ticket.body}}" }
        agent answer(ticket: Ticket, category: Category) -> string { model = p, prompt = "{{ticket.body}}" }
        tool lookup(id: string) -> string
        knowledge handbook { sources = "docs/*.md" }
        workflow uses(t: Ticket) -> Reply {
          r = handbook.search(t.body)
          return Reply { ticket = lookup(t.id), answer = t.body }
        }
        """";

    [Fact]
    public void Prelude_OnItsOwn_HasNoDiagnostics()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Category {
              c = classify(ticket)
              return c
            }
            """";
        AssertDiagnostics(Prelude + "\n" + Source);
    }

    [Fact]
    public void UnknownName_MisspelledParameter_SuggestsWhatIsInScope()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Category {
              c = classify(tiket)
              return c
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2001", 22, 16));
        AssertMessage(result, "ATL2001", "`tiket` is not declared; did you mean `ticket`?");
    }

    [Fact]
    public void UnknownName_MisspelledCallee_SuggestsACallable()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Category {
              c = clasify(ticket)
              return c
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2001", 22, 7));
        AssertMessage(result, "ATL2001", "`clasify` is not declared; did you mean `classify`?");
    }

    [Fact]
    public void UnknownMember_OnRecordAndEnum_SuggestsTheMember()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> string {
              a = ticket.bdy
              b = Category.biling
              return ticket.id
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2002", 22, 14),
            ("ATL2002", 23, 16));
        AssertMessage(result, "ATL2002", "`Ticket` has no member `bdy`; did you mean `body`?");
        AssertMessage(result, "ATL2002", "`Category` has no member `biling`; did you mean `billing`?");
    }

    [Fact]
    public void ArgumentCountMismatch_TooManyOrTooFew_ListsTheParameters()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> string {
              a = classify(ticket, ticket)
              b = answer(ticket)
              return b
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2004", 22, 24),
            ("ATL2004", 23, 7));
        AssertMessage(result, "ATL2004", "`classify` takes 1 argument (ticket: Ticket) but is given 2");
        AssertMessage(result, "ATL2004", "`answer` takes 2 arguments (ticket: Ticket, category: Category) but is given 1");
    }

    [Fact]
    public void ArgumentTypeMismatch_StringForARecord_ReportsAtTheArgument()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Category {
              c = classify(ticket.body)
              return c
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2005", 22, 16));
        AssertMessage(result, "ATL2005", "Argument `ticket` of `classify` must be `Ticket`, not `string`");
    }

    [Fact]
    public void ReturnTypeMismatch_AndMissingReturn_AreReported()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> int {
              return ticket.body
            }
            workflow v(ticket: Ticket) -> int {
              x = 1
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2006", 22, 10),
            ("ATL3006", 24, 10));
        AssertMessage(result, "ATL2006", "Workflow `w` returns `int`, but this is `string`");
        AssertMessage(result, "ATL3006", "Workflow `v` has no `return`");
    }

    [Fact]
    public void WrongKindOfName_DeclarationUsedAsAValueOrCallee_SaysWhatItIs()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> string {
              a = handbook
              c = p(ticket)
              d = ticket(1)
              return ticket.id
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2015", 22, 7),
            ("ATL2015", 23, 7),
            ("ATL2015", 24, 7));
        AssertMessage(result, "ATL2015", "`handbook` is a knowledge base, but a value is expected here");
        AssertMessage(result, "ATL2015", "`p` is a provider, but an agent, human, tool or workflow is expected here");
        AssertMessage(result, "ATL2015", "`ticket` is a parameter, but an agent, human, tool or workflow is expected here");
    }

    [Fact]
    public void ObjectConstruction_BadFields_ReportsEachProblem()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Reply {
              return Reply { ticket = ticket.id, anser = "x", ticket = "y", note = 3 }
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2016", 22, 10),
            ("ATL2002", 22, 38),
            ("ATL2033", 22, 51),
            ("ATL2017", 22, 72));
        AssertMessage(result, "ATL2016", "`Reply` needs a value for `answer`");
        AssertMessage(result, "ATL2033", "`ticket` is already set in this `Reply`; set it once");
        AssertMessage(result, "ATL2002", "`Reply` has no member `anser`; did you mean `answer`?");
        AssertMessage(result, "ATL2017", "`Reply.note` must be `string?`, not `int`");
    }

    [Fact]
    public void ObjectConstruction_UnknownType_SuggestsARecord()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Reply {
              return Replay { ticket = ticket.id, answer = "x" }
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2014", 22, 10));
        AssertMessage(result, "ATL2014", "did you mean `Reply`?");
    }

    [Fact]
    public void TypeMismatch_DurationValueAndMixedList_AreReported()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> string[] {
              d = 20s
              l = ["a", 1]
              return l
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2017", 22, 7),
            ("ATL2017", 23, 13));
        AssertMessage(result, "ATL2017", "`1` must be `string`, not `int`");
    }

    [Fact]
    public void IntLiteral_TheSmallestInt_IsAnInt()
    {
        // -2147483648 fits in an int; it was once reported as not fitting, its magnitude being one more than int.MaxValue.
        const string Source = """"
            workflow w(ticket: Ticket) -> int {
              n = -2147483648
              return n
            }
            """";
        AssertDiagnostics(Prelude + "\n" + Source);
    }

    [Fact]
    public void Arguments_MisspelledIsATL2018_RepeatedIsATL2033_PositionalAfterNamedIsATL2035()
    {
        // ATL2018: no parameter has the argument's name; ATL2033: it matches one that is already given;
        // ATL2035: a positional argument after a named one cannot be matched by position.
        const string Source = """"
            workflow w(ticket: Ticket) -> string {
              a = answer(ticket, categry = Category.bug)
              b = handbook.search(ticket.body, top = 3, top = 4)
              c = handbook.search(query = ticket.body, 3)
              return a
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2018", 22, 22),
            ("ATL2033", 23, 45),
            ("ATL2035", 24, 44));
        AssertMessage(result, "ATL2018", "`answer` has no parameter `categry`; did you mean `category`?");
        AssertMessage(result, "ATL2033", "`top` is already given to `handbook.search`; pass it once");
        AssertMessage(result, "ATL2035", "A positional argument cannot follow a named one; name it (`parameter = value`) or move it first");
    }

    [Fact]
    public void Search_BadOptions_AreReported()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Passage[] {
              a = handbook.search(ticket.body, top = 0, mode = vectr)
              b = handbook.serch(ticket.body)
              c = handbook.search(1)
              return a
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2009", 22, 42),
            ("ATL2010", 22, 52),
            ("ATL2002", 23, 16),
            ("ATL2005", 24, 23));
        AssertMessage(result, "ATL2010", "`vectr` is not a valid search mode; use one of hybrid, vector, keyword; did you mean `vector`?");
        AssertMessage(result, "ATL2002", "`handbook` has no member `serch`; did you mean `search`?");
    }

    [Fact]
    public void Search_MetadataFilters_BoundInTheOrderWritten()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Passage[] {
              a = handbook.search(ticket.body, heading = "Refunds > *", top = 3, source = "docs/billing/*")
              return a
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source);

        var search = Assert.IsType<SearchExpr>(result.Model.Workflows.Single(w => w.Name == "w").Steps.Single(s => s.Name == "a").Value);
        Assert.Equal([new SearchFilter("heading", "Refunds > *"), new SearchFilter("source", "docs/billing/*")], search.Where.ToArray());
    }

    [Fact]
    public void Search_BadFilters_AreReported()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Passage[] {
              a = handbook.search(ticket.body, source = ticket.id, sorce = "x")
              return a
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2008", 22, 45),
            ("ATL2018", 22, 56));
        AssertMessage(result, "ATL2008", "`source` must be a string written out (e.g. `source = \"docs/billing/*\"`), not `ticket.id`");
        AssertMessage(result, "ATL2018", "`handbook.search` has no parameter `sorce`; did you mean `source`?");
    }

    [Fact]
    public void Passage_TitleAndHeading_ReadableInTemplatesAndExpressions()
    {
        const string Source = """"
            agent cite(passages: Passage[]) -> string { model = p, prompt = "{{for x in passages}}{{x.title}} / {{x.heading}} / {{x.source}}{{end}}" }
            workflow w(ticket: Ticket) -> string {
              found = handbook.search(ticket.body, top = 1)
              text  = cite(found)
              return text
            }
            """";
        AssertDiagnostics(Prelude + "\n" + Source);
    }

    [Fact]
    public void NotAList_ForOverARecord_ReportsAtTheSource()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Category[] {
              r = for t in ticket parallel 0 => classify(t)
              return r
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2019", 22, 16),
            ("ATL2009", 22, 32));
        AssertMessage(result, "ATL2019", "`ticket` is `Ticket`, not a list, so it cannot be iterated");
        AssertMessage(result, "ATL2009", "`parallel` must be a whole number of at least 1, not 0");
    }

    [Fact]
    public void Switch_MissingMembersBadCasesAndMixedArms_AreReported()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> string {
              a = switch ticket.category {
                billing => "b"
                bug => "c"
              }
              b = switch ticket.category {
                biling => "x"
                billing => "y"
                billing => "z"
                _ => "w"
                bug => "v"
              }
              c = switch ticket.category {
                billing => "x"
                _ => 1
              }
              return a
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL3001", 22, 7),
            ("ATL3009", 27, 5),
            ("ATL3008", 29, 5),
            ("ATL3008", 31, 5),
            ("ATL3005", 35, 10));
        AssertMessage(result, "ATL3001", "This switch over `Category` does not handle `other`");
        // ATL3009: the case is no member of the enum; ATL3008: it fits but can never be reached.
        AssertMessage(result, "ATL3009", "`biling` is not a member of `Category`; did you mean `billing`?");
        AssertMessage(result, "ATL3008", "`billing` is already handled by an earlier case, so it can never match; remove this one");
        AssertMessage(result, "ATL3008", "This case comes after `_`, so it can never match; move it above the `_` case");
        AssertMessage(result, "ATL3005", "This case is `int` but the first case is `string`");
    }

    [Fact]
    public void Switch_CaseOfTheWrongType_IsATL3004SayingWhatEachCaseMustBe()
    {
        const string Source = """"
            workflow w(ticket: Ticket, n: int) -> string {
              a = switch ticket.category {
                "billing" => "b"
                _ => "c"
              }
              b = switch n {
                1.5 => "x"
                _ => "y"
              }
              return a
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL3004", 23, 5),
            ("ATL3004", 27, 5));
        AssertMessage(result, "ATL3004", "This switch is over `Category`, so each case must be one of its members (billing, bug, other) or `_`, not a string");
        AssertMessage(result, "ATL3004", "This switch is over `int`, so each case must be a whole number or `_`, not the number 1.5");
    }

    [Fact]
    public void Switch_BoolAndString_NeedEveryValueOrADiscard()
    {
        const string Source = """"
            workflow v(flag: bool, s: string) -> int {
              a = switch flag {
                true => 1
                false => 2
              }
              b = switch s {
                "x" => 1
              }
              c = switch flag {
                true => 1.5
                false => 2
              }
              return a
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL3001", 26, 7));
        AssertMessage(result, "ATL3001", "does not handle every other `string` value");
    }

    [Fact]
    public void StepCycle_StepsReadEachOther_ReportsEachCycleOnce()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> string {
              a = b
              b = c
              c = a
              d = d
              return ticket.id
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL3002", 22, 3),
            ("ATL3002", 25, 3));
        AssertMessage(result, "ATL3002", "a → b → c → a");
        AssertMessage(result, "ATL3002", "d → d");
    }

    [Fact]
    public void WorkflowCycle_WorkflowsCallEachOther_ReportsTheCycle()
    {
        const string Source = """"
            workflow w1(x: int) -> int {
              y = w2(x)
              return y
            }
            workflow w2(x: int) -> int {
              y = w1(x)
              return y
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL3003", 21, 10));
        AssertMessage(result, "ATL3003", "w1 → w2 → w1");
    }

    [Fact]
    public void CallOptions_BadWithBlock_ReportsEachAttribute()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Category {
              c = classify(ticket) with { retry = -1, timout = 5s }
              d = classify(ticket) with { retry = 2, timeout = 5s }
              return d
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2009", 22, 39),
            ("ATL2007", 22, 43));
        AssertMessage(result, "ATL2007", "`with` has no attribute `timout`; did you mean `timeout`?");
        Assert.Equal(new Atlas.Compiler.Model.CallOptions(2, 5000), ((Atlas.Compiler.Model.CallExpr)result.Model.Workflows.Single(w => w.Name == "w").Steps[1].Value).Options);
    }

    [Fact]
    public void ObjectConstruction_EnumAsRecord_ReportsWrongKind()
    {
        const string Source = """"
            workflow w(ticket: Ticket) -> Category {
              x = Category { billing = 1 }
              return Category.bug
            }
            """";
        var result = AssertDiagnostics(Prelude + "\n" + Source,
            ("ATL2015", 22, 7));
        AssertMessage(result, "ATL2015", "`Category` is an enum, but a record type is expected here");
    }
}
