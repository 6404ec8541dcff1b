using SemanticRouter.Evaluation;

namespace SemanticRouter.Core.Tests.Evaluation;

public class CostQualityFrontierTests
{
    private static CostQualityPoint P(double cost, double quality) => new(cost, quality);

    [Fact]
    public void NonDecreasingHull_DropsPointsUnderAChordAndEverythingPastTheBest()
    {
        // (2, 0.5) is under the chord from (1, 0.5) to (3, 0.9); (5, 0.8) is past the best point.
        var hull = CostQualityFrontier.NonDecreasingHull([P(3, 0.9), P(1, 0.5), P(2, 0.5), P(5, 0.8), P(1, 0.2)]);
        Assert.Equal([P(1, 0.5), P(3, 0.9)], hull);
    }

    [Fact]
    public void Aiq_IsTheAreaUnderTheHullWithAFlatTail_OverTheLargestCost()
    {
        // Trapezoid from 1 to 3: 2·(0.5 + 0.9)/2 = 1.4; flat tail from 3 to 5 at 0.9: 1.8; (1.4 + 1.8)/5.
        Assert.Equal(0.64, CostQualityFrontier.Aiq([P(1, 0.5), P(3, 0.9), P(5, 0.8)], 5), 12);

        // A router that matches the best quality at no cost has AIQ = that quality.
        Assert.Equal(0.9, CostQualityFrontier.Aiq([P(0, 0.9)], 5), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => CostQualityFrontier.Aiq([P(1, 0.5), P(3, 0.9)], 2));
    }

    [Fact]
    public void QualityAt_AndCostFor_InterpolateOnTheHull()
    {
        CostQualityPoint[] points = [P(1, 0.5), P(3, 0.9), P(5, 0.8)];
        Assert.Equal(0.7, CostQualityFrontier.QualityAt(points, 2), 12);
        Assert.Equal(0.9, CostQualityFrontier.QualityAt(points, 4), 12);
        Assert.True(double.IsNaN(CostQualityFrontier.QualityAt(points, 0.5)));
        Assert.Equal(2.5, CostQualityFrontier.CostFor(points, 0.8), 12);
        Assert.Equal(1, CostQualityFrontier.CostFor(points, 0.3), 12);
        Assert.True(double.IsNaN(CostQualityFrontier.CostFor(points, 0.95)));
    }

    /// <summary>
    /// The 11 models' mean cost and quality on RouterBench's test splits (rows with a blank cell left out),
    /// in the files' column order, and the zero-router AIQ issue 29 quotes (RouterBench's AIQ.py on them).
    /// </summary>
    public static TheoryData<string, double, CostQualityPoint[]> RouterBenchZeroRouter => new()
    {
        { "mixed", 0.809, [P(0.00012261333333333323, 0.5650793650793651), P(0.00036465523809523875, 0.6835978835978836), P(0.0035393269841269915, 0.7375661375661375), P(0.0037766349206349316, 0.5671957671957671), P(0.0004179333333333337, 0.7502645502645503), P(0.005003365079365075, 0.8793650793650793), P(0.0003104221714285711, 0.6148148148148148), P(0.0003744304761904768, 0.6285714285714286), P(8.105248677248676e-05, 0.5925925925925926), P(0.00024663746031746, 0.7470899470899471), P(0.0003297252910052912, 0.7788359788359789)] },
        { "arc_challenge", 0.911, [P(0.00014954347826086968, 0.6475972540045767), P(0.000400212356979405, 0.8421052631578947), P(0.004000915331807779, 0.919908466819222), P(0.004009647597254002, 0.6247139588100686), P(0.0004991281464530893, 0.8443935926773455), P(0.005001144164759719, 0.9565217391304348), P(0.00038731278718535494, 0.6636155606407322), P(0.0004492029748283759, 0.816933638443936), P(9.982288329519458e-05, 0.6704805491990846), P(0.0002994686498855835, 0.8627002288329519), P(0.00039849153318077785, 0.9176201372997712)] },
        { "winogrande", 0.774, [P(0.00010535921052631572, 0.5289473684210526), P(0.00028320000000000054, 0.5210526315789473), P(0.0028249263157894746, 0.5710526315789474), P(0.0028347157894736815, 0.4763157894736842), P(0.00035211578947368414, 0.6631578947368421), P(0.0035311578947368394, 0.8552631578947368), P(0.0002732418526315791, 0.5921052631578947), P(0.00031690421052631563, 0.49736842105263157), P(7.042315789473692e-05, 0.5736842105263158), P(0.00021126631578947364, 0.6842105263157895), P(0.0002808989473684211, 0.7421052631578947)] },
        { "mbpp", 0.680, [P(8.189531249999999e-05, 0.390625), P(0.00048508125000000014, 0.625), P(0.004084312500000001, 0.609375), P(0.005777437500000001, 0.640625), P(0.00033612499999999994, 0.6875), P(0.009381562500000003, 0.6875), P(0.00015829187500000002, 0.515625), P(0.00028993359375, 0.375), P(4.852500000000001e-05, 0.3828125), P(0.00017127656249999997, 0.5390625), P(0.00023990625000000005, 0.4140625)] },
    };

    [Theory]
    [MemberData(nameof(RouterBenchZeroRouter))]
    public void Aiq_ReproducesRouterBenchsZeroRouterFigures(string set, double expected, CostQualityPoint[] models)
    {
        var aiq = CostQualityFrontier.Aiq(models, models.Max(m => m.Cost));
        Assert.True(Math.Abs(aiq - expected) < 5e-4, $"{set}: AIQ {aiq}, issue 29 says {expected}");
    }

    [Fact]
    public void Aiq_MatchesRouterBenchsPointwiseAlgorithm_OnRandomPoints()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var points = Enumerable.Range(0, random.Next(1, 12)).Select(_ => P(random.NextDouble(), random.NextDouble())).ToArray();
            var max = points.Max(p => p.Cost);
            Assert.Equal(RouterBenchAiq(points, max), CostQualityFrontier.Aiq(points, max), 9);
        }
    }

    /// <summary>
    /// RouterBench's AIQ.py, transcribed: each point raised to the highest chord above it, the cheapest
    /// point kept, the last kept only if not lower, points lower than their predecessor dropped, a flat
    /// tail to the largest cost, trapezoids over the largest cost.
    /// </summary>
    private static double RouterBenchAiq(CostQualityPoint[] input, double maxCost)
    {
        var p = input.OrderBy(x => x.Cost).ToArray();
        var lifted = new List<CostQualityPoint>();
        for (var k = 0; k < p.Length; k++)
        {
            double? best = null;
            for (var i = 0; i < p.Length; i++)
            {
                for (var j = i; j < p.Length; j++)
                {
                    if (p[i].Cost < p[k].Cost && p[k].Cost < p[j].Cost)
                    {
                        var t = (p[k].Cost - p[i].Cost) / (p[j].Cost - p[i].Cost);
                        var y = Math.Max(p[k].Quality, p[i].Quality + (t * (p[j].Quality - p[i].Quality)));
                        best = best is null ? y : Math.Max(best.Value, y);
                    }
                }
            }

            if (best is { } b)
            {
                lifted.Add(P(p[k].Cost, b));
            }
        }

        if (lifted.Count == 0 || p[^1].Quality >= lifted[^1].Quality)
        {
            lifted.Add(p[^1]);
        }

        lifted.Insert(0, p[0]);
        var kept = new List<CostQualityPoint> { lifted[0] };
        for (var i = 1; i < lifted.Count; i++)
        {
            if (lifted[i].Quality >= lifted[i - 1].Quality)
            {
                kept.Add(lifted[i]);
            }
        }

        kept.Add(P(maxCost, kept[^1].Quality));
        var area = 0.0;
        for (var i = 1; i < kept.Count; i++)
        {
            area += (kept[i].Cost - kept[i - 1].Cost) * (kept[i].Quality + kept[i - 1].Quality) / 2;
        }

        return area / maxCost;
    }
}
