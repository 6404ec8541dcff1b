namespace SemanticRouter.Tests;

/// <summary>A fresh temporary directory, deleted on dispose; plus the repository root.</summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "semantic-router-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The folder holding SemanticRouter.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "SemanticRouter.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("repository root (SemanticRouter.sln) not found above the test binaries");
        }
    }

    /// <summary>The repository's example routes directory.</summary>
    public static string ExampleRoutes => System.IO.Path.Combine(RepositoryRoot, "routes");

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> under this directory and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Copies the example routes into <c>routes/</c> here and returns that directory.</summary>
    public string CopyExampleRoutes()
    {
        var target = System.IO.Path.Combine(Path, "routes");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(ExampleRoutes, "*.yaml"))
        {
            File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
        }

        return target;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
