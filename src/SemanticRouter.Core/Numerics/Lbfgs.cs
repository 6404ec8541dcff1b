namespace SemanticRouter.Numerics;

/// <summary>Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex losses.</summary>
internal static class Lbfgs
{
    /// <summary>Minimises f starting from (and overwriting) <paramref name="x"/>; returns the final loss and iterations.</summary>
    public static (double Loss, int Iterations) Minimize(Func<double[], double[], double> f, double[] x, int maxIterations, double tolerance, int memory = 10)
    {
        var n = x.Length;
        var g = new double[n];
        var fx = f(x, g);
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var direction = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var alpha = new double[memory];
        double[]? spareS = null, spareY = null;
        var iteration = 0;
        for (; iteration < maxIterations; iteration++)
        {
            // two-loop recursion: direction = -H·g
            Array.Copy(g, direction, n);
            for (var i = s.Count - 1; i >= 0; i--)
            {
                alpha[i] = rho[i] * Dot(s[i], direction);
                Axpy(-alpha[i], y[i], direction);
            }

            var gamma = s.Count > 0 ? Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]) : 1.0 / Math.Max(1.0, Math.Sqrt(Dot(g, g)));
            for (var i = 0; i < n; i++)
            {
                direction[i] *= gamma;
            }

            for (var i = 0; i < s.Count; i++)
            {
                var beta = rho[i] * Dot(y[i], direction);
                Axpy(alpha[i] - beta, s[i], direction);
            }

            for (var i = 0; i < n; i++)
            {
                direction[i] = -direction[i];
            }

            var slope = Dot(g, direction);
            if (slope >= 0)
            {
                // not a descent direction: restart with steepest descent
                s.Clear();
                y.Clear();
                rho.Clear();
                for (var i = 0; i < n; i++)
                {
                    direction[i] = -g[i];
                }

                slope = Dot(g, direction);
            }

            var step = 1.0;
            double fNew;
            var tries = 0;
            while (true)
            {
                for (var i = 0; i < n; i++)
                {
                    xNew[i] = x[i] + (step * direction[i]);
                }

                fNew = f(xNew, gNew);
                if (fNew <= fx + (1e-4 * step * slope) || ++tries > 30)
                {
                    break;
                }

                step *= 0.5;
            }

            // The pair the full history drops becomes the next one's buffers, instead of allocating a
            // new pair every iteration: with half a million weights (the text outcome model) a pair is
            // 8 MiB on the large-object heap.
            var sk = spareS ?? new double[n];
            var yk = spareY ?? new double[n];
            spareS = spareY = null;

            for (var i = 0; i < n; i++)
            {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }

            var sy = Dot(sk, yk);
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            var decrease = fx - fNew;
            fx = fNew;
            if (sy > 1e-12)
            {
                if (s.Count == memory)
                {
                    (spareS, spareY) = (s[0], y[0]);
                    s.RemoveAt(0);
                    y.RemoveAt(0);
                    rho.RemoveAt(0);
                }

                s.Add(sk);
                y.Add(yk);
                rho.Add(1 / sy);
            }
            else
            {
                (spareS, spareY) = (sk, yk); // rejected pair: reuse its buffers
            }

            if (decrease >= 0 && decrease <= tolerance * Math.Max(1.0, Math.Abs(fx)))
            {
                iteration++;
                break;
            }
        }

        return (fx, iteration);
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }
}
