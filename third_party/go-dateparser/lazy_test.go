// Tests of the newsfeed patch (see PATCHED.md): the locale and timezone
// tables are built on first use instead of in package initialisers.
//
// Each mode runs in a child process (this test binary started again with
// lazyChildEnv set), so that "first use" really is the first use in that
// process: lazy parses the cases with nothing built; eager builds every
// locale and the timezone tables up front, as the initialisers did, and
// then parses; concurrent starts many goroutines at once, each parsing
// every case from a different starting point, so the first use of the
// tables happens from all of them together (under -race the detector
// watches it). All three must agree, case for case, and match upstream's
// expected results.

package dateparser_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	dps "github.com/markusmobius/go-dateparser"
	"github.com/markusmobius/go-dateparser/internal/data"
	"github.com/markusmobius/go-dateparser/internal/timezone"
)

const lazyChildEnv = "DATEPARSER_LAZY_CHILD"

// lazyGoroutines is how many goroutines make the first use together.
const lazyGoroutines = 8

func TestMain(m *testing.M) {
	if mode := os.Getenv(lazyChildEnv); mode != "" {
		os.Exit(lazyChild(mode))
	}
	os.Exit(m.Run())
}

// lazyCase is one upstream test date, parsed with Languages (when set)
// and CurrentTime 2012-11-13 as upstream's TestParser_Parse does.
type lazyCase struct {
	Text     string
	Expected time.Time
}

// lazyResult is what one parse gave, in a form the child prints.
type lazyResult struct {
	Time   time.Time `json:"time"`
	Period string    `json:"period"`
	Err    string    `json:"err,omitempty"`
}

func parseCase(c lazyCase) lazyResult {
	cfg := dps.Configuration{CurrentTime: tt(2012, 11, 13)}
	dt, err := dps.Parse(&cfg, c.Text)
	r := lazyResult{Time: dt.Time.UTC(), Period: dt.Period.String()}
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

// lazyChild runs one mode and prints one JSON array of results per
// goroutine (one for lazy and eager) on stdout, each in the order of
// lazyIndexes or concurrentIndexes.
func lazyChild(mode string) int {
	var out [][]lazyResult
	switch mode {
	case "lazy":
		out = append(out, parseAll(lazyIndexes(), 0))
	case "eager":
		// What the package initialisers did before the patch: every
		// locale (GetLocaleData builds them all) and the timezone tables.
		if _, ok := data.GetLocaleData("en"); !ok {
			fmt.Fprintln(os.Stderr, "eager: no locale en")
			return 2
		}
		timezone.WordIsTz("UTC")
		out = append(out, parseAll(lazyIndexes(), 0))
	case "concurrent":
		idx := concurrentIndexes()
		out = make([][]lazyResult, lazyGoroutines)
		var ready, done sync.WaitGroup
		start := make(chan struct{})
		for g := range out {
			g := g // go.mod says go 1.21: one variable per loop otherwise
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Done()
				<-start
				// Each goroutine begins at another case, so the first
				// use comes through several parsers and languages.
				out[g] = parseAll(idx, g*len(idx)/lazyGoroutines)
			}()
		}
		ready.Wait()
		close(start)
		done.Wait()
	default:
		fmt.Fprintf(os.Stderr, "unknown mode %q\n", mode)
		return 2
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// lazyIndexes are the cases the lazy and eager runs parse: all of them,
// or under the race detector (15 times slower here: 22 s for the table)
// every fifth, which keeps every kind of case and most languages.
func lazyIndexes() []int {
	step := 1
	if raceEnabled {
		step = 5
	}
	return everyNth(step)
}

// concurrentIndexes are the cases every goroutine of the concurrent run
// parses: every 25th (a subset of lazyIndexes), eight languages and
// parsers.
func concurrentIndexes() []int { return everyNth(25) }

func everyNth(n int) []int {
	var idx []int
	for i := 0; i < len(upstreamCases); i += n {
		idx = append(idx, i)
	}
	return idx
}

// parseAll parses the cases idx names, beginning at idx[first] and
// wrapping around; the results are in the order of idx.
func parseAll(idx []int, first int) []lazyResult {
	res := make([]lazyResult, len(idx))
	for i := range idx {
		k := (first + i) % len(idx)
		res[k] = parseCase(upstreamCases[idx[k]])
	}
	return res
}

func runLazyChild(t *testing.T, mode string) [][]lazyResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lazyChildEnv+"="+mode)
	var stderr []byte
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	if err != nil {
		t.Fatalf("child %s: %v\n%s", mode, err, stderr)
	}
	var res [][]lazyResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("child %s: %v", mode, err)
	}
	return res
}

func TestLazyTables_SameAsEagerAndUpstream(t *testing.T) {
	lazyIdx, concIdx := lazyIndexes(), concurrentIndexes()
	lazy := runLazyChild(t, "lazy")
	eager := runLazyChild(t, "eager")
	conc := runLazyChild(t, "concurrent")
	if len(lazy) != 1 || len(lazy[0]) != len(lazyIdx) || len(eager) != 1 || len(eager[0]) != len(lazyIdx) || len(conc) != lazyGoroutines {
		t.Fatalf("got %d lazy, %d eager, %d concurrent result sets", len(lazy), len(eager), len(conc))
	}
	want := map[int]lazyResult{}
	for j, i := range lazyIdx {
		c, e := upstreamCases[i], eager[0][j]
		want[i] = e
		if e.Err != "" || !e.Time.Equal(c.Expected) || e.Period != "Day" {
			t.Errorf("eager %q = %v %s %q, upstream expects %v Day", c.Text, e.Time, e.Period, e.Err, c.Expected)
		}
	}
	check := func(name string, idx []int, run []lazyResult) {
		if len(run) != len(idx) {
			t.Fatalf("%s: %d results for %d cases", name, len(run), len(idx))
		}
		for j, i := range idx {
			got, w := run[j], want[i]
			if !got.Time.Equal(w.Time) || got.Period != w.Period || got.Err != w.Err {
				t.Errorf("%s %q = %v %s %q, eager gives %v %s %q", name, upstreamCases[i].Text,
					got.Time, got.Period, got.Err, w.Time, w.Period, w.Err)
			}
		}
	}
	check("lazy", lazyIdx, lazy[0])
	for g, run := range conc {
		check(fmt.Sprintf("concurrent goroutine %d", g), concIdx, run)
	}
}

func tt(Y, M, D int, times ...int) time.Time {
	var hms [4]int
	copy(hms[:], times)
	return time.Date(Y, time.Month(M), D, hms[0], hms[1], hms[2], hms[3]*1000, time.UTC)
}

// upstreamCases is the table of TestParser_Parse in parser_test.go of
// github.com/markusmobius/go-dateparser v1.2.3 (BSD 3-Clause, copyright
// Markus Mobius and the dateparser authors; see LICENSE), copied as is.
var upstreamCases = []lazyCase{
	// === ABSOLUTE PARSER ===
	// English dates
	{"[Sept] 04, 2014.", tt(2014, 9, 4)},
	{"Tuesday Jul 22, 2014", tt(2014, 7, 22)},
	{"Tues 9th Aug, 2015", tt(2015, 8, 9)},
	{"10:04am", tt(2012, 11, 13, 10, 4)},
	{"Friday", tt(2012, 11, 9)},
	{"November 19, 2014 at noon", tt(2014, 11, 19, 12, 0)},
	{"December 13, 2014 at midnight", tt(2014, 12, 13, 0, 0)},
	{"Nov 25 2014 10:17 pm", tt(2014, 11, 25, 22, 17)},
	{"Wed Aug 05 12:00:00 2015", tt(2015, 8, 5, 12, 0)},
	{"April 9, 2013 at 6:11 a.m.", tt(2013, 4, 9, 6, 11)},
	{"Aug. 9, 2012 at 2:57 p.m.", tt(2012, 8, 9, 14, 57)},
	{"December 10, 2014, 11:02:21 pm", tt(2014, 12, 10, 23, 2, 21)},
	{"8:25 a.m. Dec. 12, 2014", tt(2014, 12, 12, 8, 25)},
	{"2:21 p.m., December 11, 2014", tt(2014, 12, 11, 14, 21)},
	{"Fri, 12 Dec 2014 10:55:50", tt(2014, 12, 12, 10, 55, 50)},
	{"20 Mar 2013 10h11", tt(2013, 3, 20, 10, 11)},
	{"10:06am Dec 11, 2014", tt(2014, 12, 11, 10, 6)},
	{"19 February 2013 year 09:10", tt(2013, 2, 19, 9, 10)},
	{"21 January 2012 13:11:23.678", tt(2012, 1, 21, 13, 11, 23, 678000)},
	{"1/1/16 9:02:43.1", tt(2016, 1, 1, 9, 2, 43, 100000)},
	{"29.02.2020 13.12", tt(2020, 2, 29, 13, 12)},
	{"26. 10.21", tt(2021, 10, 26, 0, 0)},
	{"26. 10.21 14.12", tt(2021, 10, 26, 14, 12)},
	{"26 . 10.21", tt(2021, 10, 26, 0, 0)},
	{"30 . 09 . 22 12.12", tt(2022, 9, 30, 12, 12)},
	{"1 a.m 20.07.2021", tt(2021, 7, 20, 1, 0)},
	{"Wednesday, 22nd June, 2016, 12.16 pm.", tt(2016, 6, 22, 12, 16)},
	{"16:00", tt(2012, 11, 13, 16, 0)},
	{"Monday 7:15 AM", tt(2012, 11, 12, 7, 15)},
	// French dates
	{"11 Mai 2014", tt(2014, 5, 11)},
	{"11 sept. 2014", tt(2014, 9, 11)},
	{"dimanche, 11 Mai 2014", tt(2014, 5, 11)},
	{"22 janvier 2015 à 14h40", tt(2015, 1, 22, 14, 40)},
	{"Dimanche 1er Février à 21:24", tt(2012, 2, 1, 21, 24)},
	{"vendredi, décembre 5 2014.", tt(2014, 12, 5, 0, 0)},
	{"le 08 Déc 2014 15:11", tt(2014, 12, 8, 15, 11)},
	{"Le 11 Décembre 2014 à 09:00", tt(2014, 12, 11, 9, 0)},
	{"fév 15, 2013", tt(2013, 2, 15, 0, 0)},
	{"Jeu 15:12", tt(2012, 11, 8, 15, 12)},
	// Spanish dates
	{"Martes 21 de Octubre de 2014", tt(2014, 10, 21)},
	{"Miércoles 20 de Noviembre de 2013", tt(2013, 11, 20)},
	{"12 de junio del 2012", tt(2012, 6, 12)},
	{"13 Ago, 2014", tt(2014, 8, 13)},
	{"13 Septiembre, 2014", tt(2014, 9, 13)},
	{"11 Marzo, 2014", tt(2014, 3, 11)},
	{"julio 5, 2015 en 1:04 pm", tt(2015, 7, 5, 13, 4)},
	{"Vi 17:15", tt(2012, 11, 9, 17, 15)},
	// Dutch dates
	{"11 augustus 2014", tt(2014, 8, 11)},
	{"14 januari 2014", tt(2014, 1, 14)},
	{"vr jan 24, 2014 12:49", tt(2014, 1, 24, 12, 49)},
	// Italian dates
	{"16 giu 2014", tt(2014, 6, 16)},
	{"26 gennaio 2014", tt(2014, 1, 26)},
	{"Ven 18:23", tt(2012, 11, 9, 18, 23)},
	// Portuguese dates
	{"sexta-feira, 10 de junho de 2014 14:52", tt(2014, 6, 10, 14, 52)},
	{"13 Setembro, 2014", tt(2014, 9, 13)},
	{"Sab 3:03", tt(2012, 11, 10, 3, 3)},
	// Russian dates
	{"10 мая", tt(2012, 5, 10)}, // forum.codenet.ru
	{"26 апреля", tt(2012, 4, 26)},
	{"20 ноября 2013", tt(2013, 11, 20)},
	{"28 октября 2014 в 07:54", tt(2014, 10, 28, 7, 54)},
	{"13 января 2015 г. в 13:34", tt(2015, 1, 13, 13, 34)},
	{"09 августа 2012", tt(2012, 8, 9, 0, 0)},
	{"Авг 26, 2015 15:12", tt(2015, 8, 26, 15, 12)},
	{"2 Декабрь 95 11:15", tt(1995, 12, 2, 11, 15)},
	{"13 янв. 2005 19:13", tt(2005, 1, 13, 19, 13)},
	{"13 авг. 2005 19:13", tt(2005, 8, 13, 19, 13)},
	{"13 авг. 2005г. 19:13", tt(2005, 8, 13, 19, 13)},
	{"13 авг. 2005 г. 19:13", tt(2005, 8, 13, 19, 13)},
	{"21 сентября 2021г., вторник", tt(2021, 9, 21, 0, 0)},
	{"Пнд, 07 янв. 2019 г. 12:15", tt(2019, 1, 7, 12, 15)},
	{"Срд, 09 янв. 2019 г. 12:15", tt(2019, 1, 9, 12, 15)},
	{"чтв, 1 сентября 2022 г. 09:00", tt(2022, 9, 1, 9, 00)},
	{"Птн, 11 янв. 2019 г. 12:15", tt(2019, 1, 11, 12, 15)},
	{"сбт, 1 окт. 2022 г. 10:22", tt(2022, 10, 1, 10, 22)},
	{"вск, 2 окт. 2022 г. 11:17", tt(2022, 10, 2, 11, 17)},
	// Turkish dates
	{"11 Ağustos, 2014", tt(2014, 8, 11)},
	{"08.Haziran.2014, 11:07", tt(2014, 6, 8, 11, 7)}, // forum.andronova.net
	{"17.Şubat.2014, 17:51", tt(2014, 2, 17, 17, 51)},
	{"14-Aralık-2012, 20:56", tt(2012, 12, 14, 20, 56)}, // forum.ceviz.net
	// Romanian dates
	{"13 iunie 2013", tt(2013, 6, 13)},
	{"14 aprilie 2014", tt(2014, 4, 14)},
	{"18 martie 2012", tt(2012, 3, 18)},
	{"12-Iun-2013", tt(2013, 6, 12)},
	// German dates
	{"21. Dezember 2013", tt(2013, 12, 21)},
	{"19. Februar 2012", tt(2012, 2, 19)},
	{"26. Juli 2014", tt(2014, 7, 26)},
	{"1. Sept 2000", tt(2000, 9, 1)},
	{"18.10.14 um 22:56 Uhr", tt(2014, 10, 18, 22, 56)},
	{"12-Mär-2014", tt(2014, 3, 12)},
	{"Mit 13:14", tt(2012, 11, 7, 13, 14)},
	{"23. März 18.37 Uhr", tt(2012, 3, 23, 18, 37)},
	// Czech dates
	{"pon 16. čer 2014 10:07:43", tt(2014, 6, 16, 10, 7, 43)},
	{"13 Srpen, 2014", tt(2014, 8, 13)},
	{"čtv 14. lis 2013 12:38:43", tt(2013, 11, 14, 12, 38, 43)},
	{"14Unr'21", tt(2021, 2, 14)},
	{"02Bre'21", tt(2021, 3, 2)},
	// Thai dates
	{"ธันวาคม 11, 2014, 08:55:08 PM", tt(2014, 12, 11, 20, 55, 8)},
	{"22 พฤษภาคม 2012, 22:12", tt(2012, 5, 22, 22, 12)},
	{"11 กุมภา 2020, 8:13 AM", tt(2020, 2, 11, 8, 13)},
	{"1 เดือนตุลาคม 2005, 1:00 AM", tt(2005, 10, 1, 1, 0)},
	{"11 ก.พ. 2020, 1:13 pm", tt(2020, 2, 11, 13, 13)},
	// Vietnamese dates
	{"Thứ năm", tt(2012, 11, 8)},                                 // Thursday
	{"Thứ sáu", tt(2012, 11, 9)},                                 // Friday
	{"Tháng Mười Hai 29, 2013, 14:14", tt(2013, 12, 29, 14, 14)}, // bpsosrcs.wordpress.com NOQA
	{"05 Tháng một 2015 - 03:54 AM", tt(2015, 1, 5, 3, 54)},
	// Belarusian dates
	{"11 траўня", tt(2012, 5, 11)},
	{"4 мая", tt(2012, 5, 4)},
	{"Чацвер 06 жніўня 2015", tt(2015, 8, 6)},
	{"Нд 14 сакавіка 2015 у 7 гадзін 10 хвілін", tt(2015, 3, 14, 7, 10)},
	{"5 жніўня 2015 года у 13:34", tt(2015, 8, 5, 13, 34)},
	// Ukrainian dates
	{"2015-кві-12", tt(2015, 4, 12)},
	{"2020-берез-11", tt(2020, 3, 11)},
	{"21 чер 2013 3:13", tt(2013, 6, 21, 3, 13)},
	{"17 верес 2015 6:17", tt(2015, 9, 17, 6, 17)},
	{"12 лютого 2012, 13:12:23", tt(2012, 2, 12, 13, 12, 23)},
	{"10 листоп 2017, 10:00:00", tt(2017, 11, 10, 10, 00, 00)},
	{"вів о 14:04", tt(2012, 11, 13, 14, 4)},
	// Tagalog dates
	{"12 Hulyo 2003 13:01", tt(2003, 7, 12, 13, 1)},
	{"1978, 1 Peb, 7:05 PM", tt(1978, 2, 1, 19, 5)},
	{"2 hun", tt(2012, 6, 2)},
	{"Lin 16:16", tt(2012, 11, 11, 16, 16)},
	// Japanese dates
	{"2016年3月20日(日) 21時40分", tt(2016, 3, 20, 21, 40)},
	{"2016年3月20日 21時40分", tt(2016, 3, 20, 21, 40)},
	// Numeric dates
	{"06-17-2014", tt(2014, 6, 17)},
	{"13/03/2014", tt(2014, 3, 13)},
	{"11. 12. 2014, 08:45:39", tt(2014, 11, 12, 8, 45, 39)},
	// Miscellaneous dates
	{"1 Ni 2015", tt(2015, 4, 1, 0, 0)},
	{"1 Mar 2015", tt(2015, 3, 1, 0, 0)},
	{"1 сер 2015", tt(2015, 8, 1, 0, 0)},
	// Chinese dates
	{"2015年04月08日10:05", tt(2015, 4, 8, 10, 5)},
	{"2012年12月20日10:35", tt(2012, 12, 20, 10, 35)},
	{"2016年06月30日09时30分", tt(2016, 6, 30, 9, 30)},
	{"2016年6月2911:30", tt(2016, 6, 29, 11, 30)},
	{"2016年6月29", tt(2016, 6, 29, 0, 0)},
	{"2016年 2月 5日", tt(2016, 2, 5, 0, 0)},
	{"2016年9月14日晚8:00", tt(2016, 9, 14, 20, 0)},
	// Bulgarian
	{"25 ян 2016", tt(2016, 1, 25, 0, 0)},
	{"23 декември 2013 15:10:01", tt(2013, 12, 23, 15, 10, 1)},
	// Bangla dates
	{"[সেপ্টেম্বর] 04, 2014.", tt(2014, 9, 4)},
	{"মঙ্গলবার জুলাই 22, 2014", tt(2014, 7, 22)},
	{"শুক্রবার", tt(2012, 11, 9)},
	{"শুক্র, 12 ডিসেম্বর 2014 10:55:50", tt(2014, 12, 12, 10, 55, 50)},
	{"1লা জানুয়ারী 2015", tt(2015, 1, 1)},
	{"25শে মার্চ 1971", tt(1971, 3, 25)},
	{"8ই মে 2002", tt(2002, 5, 8)},
	{"10:06am ডিসেম্বর 11, 2014", tt(2014, 12, 11, 10, 6)},
	{"19 ফেব্রুয়ারী 2013 সাল 09:10", tt(2013, 2, 19, 9, 10)},
	// Hindi dates
	{"11 जुलाई 1994, 11:12", tt(1994, 7, 11, 11, 12)},
	{"१७ अक्टूबर २०१८", tt(2018, 10, 17, 0, 0)},
	{"12 जनवरी  1997 11:08 अपराह्न", tt(1997, 1, 12, 23, 8)},
	// Georgian dates
	{"2011 წლის 17 მარტი, ოთხშაბათი", tt(2011, 3, 17, 0, 0)},
	{"2015 წ. 12 ივნ, 15:34", tt(2015, 6, 12, 15, 34)},
	// Finnish dates
	{"5.7.2018 5.45 ip.", tt(2018, 7, 5, 17, 45)},
	{"5 .7 .2018 5.45 ip.", tt(2018, 7, 5, 17, 45)},
	// Croatian dates
	{"06. travnja 2021.", tt(2021, 4, 6, 0, 0)},
	{"13. svibanj 2022.", tt(2022, 5, 13, 0, 0)},
	{"24.03.2019. u 22:22", tt(2019, 3, 24, 22, 22)},
	{"20. studenoga 2010. @ 07:28", tt(2010, 11, 20, 7, 28)},
	{"13. studenog 1989.", tt(1989, 11, 13, 0, 0)},
	{"29.01.2008. 00:00", tt(2008, 1, 29, 0, 0)},
	{"27. 05. 2022. u 14:34", tt(2022, 5, 27, 14, 34)},
	{"28. u studenom 2017.", tt(2017, 11, 28, 0, 0)},
	{"13. veljače 1999. u podne", tt(1999, 2, 13, 12, 0)},
	{"27. siječnja 1994. u ponoć", tt(1994, 1, 27, 0, 0)},
	// Others (from `test_clean_api.py`)
	{"24 de Janeiro de 2014", tt(2014, 1, 24)},
	{"2 de Enero de 2013", tt(2013, 1, 2)},
	{"January 25, 2014", tt(2014, 1, 25)},
	{"May 5, 2000 13:00", tt(2000, 5, 5, 13, 0)},
	{"August 8, 2018 5 PM", tt(2018, 8, 8, 17, 0)},
	{"February 26, 1981 5 am UTC", tt(1981, 2, 26, 5, 0)},
	{"2014/11/17 14:56 EDT", tt(2014, 11, 17, 18, 56)},
	{"08-08-2014\xa018:29", tt(2014, 8, 8, 18, 29)},
	{"12 jan 1876", tt(1876, 1, 12)},
	{"02/09/16", tt(2016, 2, 9)},
	{"10 giu 2018", tt(2018, 6, 10)},

	// === CONTAINS TIMEZONE ===
	{"Sep 03 2014 | 4:32 pm EDT", tt(2014, 9, 3, 20, 32)},
	{"17th October, 2034 @ 01:08 am PDT", tt(2034, 10, 17, 8, 8)},
	{"15 May 2004 23:24 EDT", tt(2004, 5, 16, 3, 24)},
	{"08/17/14 17:00 (PDT)", tt(2014, 8, 18, 0, 0)},
	{"15 May 2004 16:10 -0400", tt(2004, 5, 15, 20, 10)},
	{"1999-12-31 19:00:00 -0500", tt(2000, 1, 1)},
	{"1999-12-31 19:00:00 +0500", tt(1999, 12, 31, 14, 0)},
	{"Fri, 09 Sep 2005 13:51:39 -0700", tt(2005, 9, 9, 20, 51, 39)},
	{"Fri, 09 Sep 2005 13:51:39 +0000", tt(2005, 9, 9, 13, 51, 39)},
	{"Mon, 25 Jun 2018 10:37:47 +0530 ", tt(2018, 6, 25, 5, 7, 47)}, // trailing spaces
	{"Fri Sep 23 2016 10:34:51 GMT+0800 (CST)", tt(2016, 9, 23, 2, 34, 51)},

	// === NOSPACE PARSER ===
	{"2016020417:10", tt(2016, 2, 4, 17, 10)},

	// === ISO DATESTAMP ===
	{"2015-05-02T10:20:19+0000", tt(2015, 5, 2, 10, 20, 19)},

	// === TIMESTAMP ===
	{"1484823450", tt(2017, 1, 19, 10, 57, 30)},
	{"1436745600000", tt(2015, 7, 13, 0, 0)},
	{"1015673450", tt(2002, 3, 9, 11, 30, 50)},
	{"2016-09-23T02:54:32.845Z", tt(2016, 9, 23, 2, 54, 32, 845000)},

	// === NEGATIVE TIMESTAMP ===
	{"-1484823450", tt(1922, 12, 13, 13, 2, 30)},
	{"-1436745600000", tt(1924, 6, 22, 0, 0)},
	{"-1015673450000001", tt(1937, 10, 25, 12, 29, 10, 1)},
}
