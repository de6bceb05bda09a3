using System.Collections.Generic;
using System.IO;
using Atlas.Interpreter;

namespace Atlas.Cli;

/// <summary>A file a command reads or writes, as messages name it: <c>--batch file 'in.jsonl'</c>, <c>--output 'out.jsonl'</c>.</summary>
internal readonly record struct NamedPath(string Path, string What);

/// <summary>
/// Before a command opens a file to write (which truncates it): refuses an output that is one of its inputs, however
/// it is spelled — <c>./x</c>, <c>a/../x</c>, a symbolic link, a hard link — and two outputs that are one file.
/// </summary>
internal static class OutputGuard
{
    /// <exception cref="UsageException">An output reaches an input or another output; nothing has been written.</exception>
    public static void Check(IEnumerable<NamedPath> inputs, IReadOnlyList<NamedPath> outputs, string commandName)
    {
        var read = new List<(NamedPath Input, FileIdentity Identity)>();
        foreach (var input in inputs)
        {
            if (FileStatus.Of(input.Path).Identity is { } identity) read.Add((input, identity));
        }

        var written = new List<(NamedPath Output, object Key)>();
        foreach (var output in outputs)
        {
            // An output that does not exist yet cannot be an input; it can still be another output spelled differently.
            var identity = FileStatus.Of(output.Path).Identity;
            foreach (var (input, inputIdentity) in read)
            {
                if (identity == inputIdentity)
                    throw new UsageException($"{commandName}: {output.What} is the same file as the {input.What}; choose another output (nothing was written)");
            }

            object key = (object?)identity ?? Path.GetFullPath(output.Path);
            foreach (var (other, otherKey) in written)
            {
                if (key.Equals(otherKey))
                    throw new UsageException($"{commandName}: {output.What} and {other.What} are the same file; give each its own (nothing was written)");
            }

            written.Add((output, key));
        }
    }
}
