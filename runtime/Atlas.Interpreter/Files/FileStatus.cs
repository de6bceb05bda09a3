using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Atlas.Interpreter;

/// <summary>What a path names, following symbolic links: the kind of file, its size and its identity (device and inode).</summary>
/// <remarks>
/// .NET has no portable way to tell a FIFO or a device from a regular file without opening it
/// (<see cref="File.GetAttributes(string)"/> says <c>Normal</c> for both, and opening a FIFO for reading
/// blocks until a writer comes), nor a way to see that two paths are hard links of one file. On Linux
/// this asks the kernel through <c>statx(2)</c>, whose record has one layout on every architecture;
/// elsewhere it falls back to what .NET can tell (directories, sizes, resolved link targets).
/// Hosts use it to refuse what they must not open before opening it (<see cref="AtlasInterpreter.CompileFiles"/> does).
/// </remarks>
/// <param name="Kind">What the path names.</param>
/// <param name="Size">Its size in bytes (0 when that means nothing).</param>
/// <param name="Identity">Which file it is, for telling two paths to one file; null when missing.</param>
public readonly record struct FileStatus(FileKind Kind, long Size, FileIdentity? Identity)
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1, StatxIno = 0x100, StatxSize = 0x200;
    private const int StatxBufferSize = 256;
    private static bool s_statxMissing;

    /// <summary>The status of <paramref name="path"/>; <see cref="FileKind.Missing"/> when nothing is there (or it cannot be looked at).</summary>
    /// <param name="path">A path, relative to the current directory or absolute.</param>
    /// <returns>What it names, following symbolic links.</returns>
    public static FileStatus Of(string path)
    {
        if (OperatingSystem.IsLinux() && !s_statxMissing && TryStatx(path, out var status)) return status;
        return Fallback(path);
    }

    /// <summary>How the kind reads in a message: <c>a FIFO</c>, <c>a character device</c>.</summary>
    /// <param name="kind">A kind of file.</param>
    /// <returns>The kind with its article.</returns>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };

    private static bool TryStatx(string path, out FileStatus status)
    {
        var buffer = new byte[StatxBufferSize];
        try
        {
            if (statx(AtFdCwd, path, 0, StatxType | StatxIno | StatxSize, buffer) != 0)
            {
                status = new FileStatus(FileKind.Missing, 0, null);
                return true;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            s_statxMissing = true; // an old C library: use what .NET can tell from now on
            status = default;
            return false;
        }

        // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_size (u64) at 40, stx_dev_major/minor (u32) at 136/140.
        var span = buffer.AsSpan();
        var mode = MemoryMarshal.Read<ushort>(span[28..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
        var identity = new FileIdentity(
            ((ulong)MemoryMarshal.Read<uint>(span[136..]) << 32) | MemoryMarshal.Read<uint>(span[140..]),
            MemoryMarshal.Read<ulong>(span[32..]),
            null);
        status = new FileStatus(kind, (long)MemoryMarshal.Read<ulong>(span[40..]), identity);
        return true;
    }

    private static FileStatus Fallback(string path)
    {
        try
        {
            if (Directory.Exists(path)) return new FileStatus(FileKind.Directory, 0, new FileIdentity(0, 0, ResolvedPath(path)));
            if (!File.Exists(path)) return new FileStatus(FileKind.Missing, 0, null);
            return new FileStatus(FileKind.Regular, new FileInfo(path).Length, new FileIdentity(0, 0, ResolvedPath(path)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new FileStatus(FileKind.Missing, 0, null);
        }
    }

    /// <summary>The full path with the final link resolved (directories on the way are not: the best .NET offers).</summary>
    private static string ResolvedPath(string path)
    {
        var full = Path.GetFullPath(path);
        var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        return target is null ? full : Path.GetFullPath(target.FullName);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, string pathname, int flags, uint mask, byte[] statxbuf);
}

/// <summary>What a path names.</summary>
public enum FileKind
{
    /// <summary>Nothing, or nothing that can be looked at.</summary>
    Missing,

    /// <summary>A regular file: the only kind read as a source or an input.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A named pipe: opening it for reading waits for a writer.</summary>
    Fifo,

    /// <summary>A character device, such as <c>/dev/zero</c>: reading it may never end.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A socket.</summary>
    Socket,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>
/// Which file a path reaches: device and inode where the system tells them (so hard links and symbolic
/// links compare equal), else the full path with links resolved.
/// </summary>
/// <param name="Device">The device number (0 where the system does not tell).</param>
/// <param name="Inode">The inode number (0 where the system does not tell).</param>
/// <param name="ResolvedPath">The full path with links resolved, where device and inode are not known; else null.</param>
public sealed record FileIdentity(ulong Device, ulong Inode, string? ResolvedPath);
