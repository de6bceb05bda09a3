using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace Atlas.Embeddings.MiniLM;

/// <summary>
/// Turns off ONNX Runtime's telemetry before the first ONNX environment exists.
/// </summary>
/// <remarks>
/// On Linux and macOS, ONNX Runtime 1.30 starts a 1DS telemetry uploader when its environment is
/// created: it reads <c>/proc/self/cmdline</c> and matches it with a recursive <c>std::regex</c>,
/// about 250 bytes of native stack per character, so a command line of 32 KB or more (a long
/// <c>atlas search</c> query, an inline <c>--input</c>) overflows the main thread's 8 MB stack and
/// the CLR aborts ("Internal CLR error (0x80131506)" in <c>OrtEnv.CreateDefaultEnv</c>). The
/// uploader would also reach the network and persist a device id, which an offline embedder must
/// not do. ONNX Runtime reads <c>ORT_DISABLE_TELEMETRY</c> with the C library's <c>getenv</c>, and
/// .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach that
/// table on Unix, so the variable is set with <c>setenv</c>. A value the user set is left alone.
/// </remarks>
internal static class OnnxRuntimeTelemetry
{
    internal const string Variable = "ORT_DISABLE_TELEMETRY";
    private static int s_done;

    /// <summary>Sets <c>ORT_DISABLE_TELEMETRY=1</c> for the process unless it is set already; once, thread-safe.</summary>
    public static void DisableBeforeFirstEnvironment()
    {
        if (Interlocked.Exchange(ref s_done, 1) == 1) return;
        // Windows builds report through ETW, which has no uploader of its own and reads no command line.
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable(Variable) is not null) return;
        if (SetEnvironmentVariable(Variable, "1", overwrite: 0) != 0)
            throw new InvalidOperationException($"Could not set {Variable} for ONNX Runtime (errno {Marshal.GetLastPInvokeError()}).");
        Environment.SetEnvironmentVariable(Variable, "1");
    }

    [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
    private static extern int SetEnvironmentVariable([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
