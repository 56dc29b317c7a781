package models

import (
	"errors"
	"testing"
	"time"
)

func TestReportMovesFollowTheTable(t *testing.T) {
	at := time.Date(2022, 2, 25, 1, 0, 0, 0, time.UTC)
	report := func(s ReportStatus) *AnnualReport {
		return &AnnualReport{ID: "r", UnitID: "u", Year: 2021, Status: s, Content: ReportContent{Title: "报告",
			Sections: []ReportSection{{Part: ReportPartLeaders, Title: ReportPartTitles[ReportPartLeaders], Paragraphs: []ReportParagraph{}}}}}
	}
	walk(t, ReportLifecycle, map[string]func(ReportStatus) (ReportStatus, error){
		MoveEdit: func(s ReportStatus) (ReportStatus, error) {
			r := report(s)
			return r.Status, r.EditSection(ReportPartLeaders, []ReportParagraph{{Sentences: []ReportSentence{{Text: "主要负责人履职。"}}}})
		},
		MoveDelete: func(s ReportStatus) (ReportStatus, error) {
			_, err := ReportLifecycle.Check(MoveDelete, "r", s)
			return s, err
		},
		MoveSignOff: func(s ReportStatus) (ReportStatus, error) {
			r := report(s)
			return r.Status, r.SignOff("user:a", at, false)
		},
		MoveReopen: func(s ReportStatus) (ReportStatus, error) {
			r := report(s)
			return r.Status, r.Reopen()
		},
		MoveSubmit: func(s ReportStatus) (ReportStatus, error) {
			r := report(s)
			return r.Status, r.Submit("user:a", at)
		},
		MovePublish: func(s ReportStatus) (ReportStatus, error) {
			r := report(s)
			return r.Status, r.Publish("user:a", at)
		},
	})
}

func TestReportRules(t *testing.T) {
	at := time.Date(2022, 2, 25, 1, 0, 0, 0, time.UTC)
	r := &AnnualReport{ID: "r", Status: ReportDraft, Content: ReportContent{
		Sections: []ReportSection{{Part: ReportPartLeaders, Paragraphs: []ReportParagraph{}}}}}
	var invalid *ValidationError
	if err := r.EditSection(6, nil); !errors.As(err, &invalid) || invalid.Code != "report_invalid" {
		t.Errorf("part 6: %v", err)
	}
	if err := r.EditSection(ReportPartLeaders, []ReportParagraph{{Sentences: []ReportSentence{{Text: "  "}}}}); !errors.As(err, &invalid) {
		t.Errorf("an empty sentence: %v", err)
	}
	if err := r.EditSection(ReportPartLeaders, []ReportParagraph{{Sentences: []ReportSentence{{Text: "专题研究3次。"}}}}); err != nil {
		t.Fatal(err)
	}
	var conflict *ConflictError
	if err := r.SignOff("user:a", at, false); !errors.As(err, &conflict) || conflict.Code != "report_untraced_figures" || r.Status != ReportDraft {
		t.Errorf("signing off an untraced 3: %v", err)
	}
	if err := r.SignOff("user:a", at, true); err != nil || r.Status != ReportSignedOff {
		t.Errorf("signing off with the untraced accepted: %v", err)
	}

	for _, c := range []struct {
		kind          UnitKind
		submit, asOf  string
		done          *time.Time
		want, wantPub Timeliness
	}{
		{UnitDistrict, "2022-03-01", "2022-02-28", nil, Due, Due},
		{UnitDistrict, "2022-03-01", "2022-03-01", nil, Missing, Due},
		{UnitDistrict, "2022-03-01", "2022-04-01", nil, Missing, Missing},
		{UnitProvince, "2022-04-01", "2022-03-15", nil, Due, Due},
		{UnitCity, "2022-03-01", "2022-03-15", ptrTo(time.Date(2022, 2, 28, 15, 59, 0, 0, time.UTC)), OnTime, Due}, // 23:59 on 28 February in China
		{UnitCity, "2022-03-01", "2022-03-15", ptrTo(time.Date(2022, 2, 28, 16, 0, 0, 0, time.UTC)), Late, Due},    // midnight: 1 March in China
	} {
		d := DueOf(Unit{Kind: c.kind}, &AnnualReport{SubmittedAt: c.done}, 2021, c.asOf)
		if d.SubmitBefore != c.submit || d.PublishBefore != "2022-04-01" || d.Submission != c.want || d.Publication != c.wantPub {
			t.Errorf("%s as of %s, submitted %v: %+v", c.kind, c.asOf, c.done, d)
		}
	}
}
