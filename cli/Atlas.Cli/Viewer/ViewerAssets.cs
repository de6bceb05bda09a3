using System;
using System.Collections.Generic;
using System.IO;

namespace Atlas.Cli.Viewer;

/// <summary>A file the viewer serves, read from the assembly (nothing is fetched from elsewhere).</summary>
internal sealed record ViewerAsset(string Path, string ContentType, byte[] Content);

/// <summary>The page, its script and its style: embedded resources of the CLI's assembly (Viewer/Assets).</summary>
internal static class ViewerAssets
{
    public static IReadOnlyList<ViewerAsset> All { get; } =
    [
        new("/", "text/html; charset=utf-8", Read("index.html")),
        new("/viewer.js", "text/javascript; charset=utf-8", Read("viewer.js")),
        new("/viewer.css", "text/css; charset=utf-8", Read("viewer.css")),
    ];

    private static byte[] Read(string name)
    {
        using var stream = typeof(ViewerAssets).Assembly.GetManifestResourceStream("Atlas.Cli.Viewer.Assets." + name)
            ?? throw new InvalidOperationException($"the viewer's {name} is not in the assembly (a build problem)");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
