using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Atlas.Compiler;
using Atlas.Compiler.Text;

namespace Atlas.Interpreter;

/// <summary>
/// The entry point for a host that loads Atlas pipelines at run time: compiles <c>.atlas</c> and
/// <c>.atlas.yaml</c> sources into diagnostics and, when there are no errors, an <see cref="AtlasProgram"/>
/// whose workflows run on an <see cref="Atlas.Runtime.AtlasRuntime"/>. No build and no CLI are involved.
/// </summary>
/// <remarks>
/// <para>The sources given to one call compile together as one namespace, as the files of a project do for
/// <c>dotnet build</c> and <c>atlas run</c>: a declaration in one may be used from another. Whether a source is
/// YAML is decided by its path (<c>.yaml</c>, <c>.yml</c>); anything else is read as <c>.atlas</c>.</para>
/// <para>Compiling never throws for bad input: every mistake is a diagnostic with its path, line and column.
/// Thread-safe: nothing is shared between calls.</para>
/// </remarks>
/// <example>
/// <code>
/// var compilation = AtlasInterpreter.CompileText(text, "support.atlas");
/// if (compilation.HasErrors) { foreach (var d in compilation.Diagnostics) Console.Error.WriteLine(d); return; }
/// var options = new AtlasRuntimeOptions();
/// compilation.Program.AddDeclarationsTo(options);
/// options.UseOpenAI(); // each provider kind the files may use, from its package (here Atlas.Runtime.OpenAI)
/// await using var runtime = new AtlasRuntime(options);
/// JsonNode? reply = await compilation.Program.Workflow("support").RunAsync(runtime, JsonNode.Parse(ticket));
/// </code>
/// </example>
public static class AtlasInterpreter
{
    // Strict: a byte that is not UTF-8 is an error, never read as U+FFFD.
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Compiles one source text.</summary>
    /// <param name="text">The source.</param>
    /// <param name="path">The name diagnostics give the source; a path ending in <c>.yaml</c> or <c>.yml</c> is read as YAML.</param>
    /// <param name="cancellationToken">Cancels compiling.</param>
    /// <returns>The diagnostics, and the program when there are no errors.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="path"/> is null.</exception>
    public static AtlasCompilation CompileText(string text, string path = "main.atlas", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(path);
        return Compile([new SourceFile(path, text)], cancellationToken);
    }

    /// <summary>Compiles several sources together, as one namespace.</summary>
    /// <param name="sources">The sources, each with the path diagnostics give it.</param>
    /// <param name="cancellationToken">Cancels compiling.</param>
    /// <returns>The diagnostics of every source, sorted by path and position, and the program when there are no errors.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sources"/> is null.</exception>
    public static AtlasCompilation Compile(IEnumerable<SourceFile> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return new AtlasCompilation(AtlasCompiler.Compile(sources, cancellationToken));
    }

    /// <summary>Reads and compiles files together, as one namespace; diagnostics name each file by the path given here.</summary>
    /// <param name="paths">The files: <c>.atlas</c>, <c>.atlas.yaml</c> or <c>.atlas.yml</c>.</param>
    /// <param name="cancellationToken">Cancels reading and compiling.</param>
    /// <returns>The diagnostics, and the program when there are no errors.</returns>
    /// <remarks>
    /// Only regular files are read (a FIFO or a device is refused before it is opened, so nothing waits or reads
    /// forever), each at most <see cref="MaxSourceBytes"/>.
    /// Files are read as UTF-8 (a byte-order mark is skipped; UTF-16 and UTF-32 files with their marks are read too).
    /// Relative paths inside the program (knowledge sources, store files) are resolved by the runtime against
    /// <see cref="Atlas.Runtime.AtlasRuntimeOptions.BaseDirectory"/>, usually the files' folder.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    /// <exception cref="IOException">A file cannot be read (<see cref="FileNotFoundException"/> when it is missing).</exception>
    /// <exception cref="InvalidDataException">A file is not a regular file, is larger than <see cref="MaxSourceBytes"/>, or is not valid UTF-8; the message names it.</exception>
    public static AtlasCompilation CompileFiles(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var sources = new List<SourceFile>();
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            sources.Add(new SourceFile(path, ReadText(path)));
        }

        return Compile(sources, cancellationToken);
    }

    /// <summary>The most bytes one source file may have (16 MB), as for <c>atlas run</c>.</summary>
    public const int MaxSourceBytes = 16 * 1024 * 1024;

    private static string ReadText(string path)
    {
        var status = FileStatus.Of(path);
        if (status.Kind == FileKind.Missing) throw new FileNotFoundException($"'{path}' does not exist", path);
        if (status.Kind != FileKind.Regular) throw new InvalidDataException($"'{path}' is not a regular file (it is {FileStatus.Describe(status.Kind)})");
        if (status.Size > MaxSourceBytes) throw new InvalidDataException($"'{path}' is larger than 16 MB, the limit for an Atlas file");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            // The size was checked before opening; a file that grows meanwhile is still read no further than the limit.
            using var reader = new StreamReader(new BoundedReadStream(stream, MaxSourceBytes, path), s_strictUtf8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid UTF-8 ({ex.Message}); save it as UTF-8", ex);
        }
    }

    /// <summary>A read-only view of a stream that fails once more than a limit has been read.</summary>
    private sealed class BoundedReadStream(Stream inner, long limit, string path) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            _read += read;
            if (_read > limit) throw new InvalidDataException($"'{path}' is larger than 16 MB, the limit for an Atlas file");
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
