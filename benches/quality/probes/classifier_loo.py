"""Probe (not part of recur): could a word-level classifier find tendencies the lexicon's exact
phrases miss? TF-IDF (stemmed 1-2-grams) + logistic regression trained on the lexicon's cues and
hints plus the tagged development logs, leaving out the log being scored; an entry is a seed of
its most probable tendency when p >= TH; a tendency is kept with >= 3 seeds and at least MARGIN
more than 8 shuffled-word copies of the same log give. Also runs shuffled copies to count false
patterns. Needs scikit-learn and snowballstemmer. Results: benches/QUALITY.md.
usage: THS="0.4 0.5" MS="2 3" python3 benches/quality/probes/classifier_loo.py
"""
import csv, re, sys, tomllib, glob, os, random, pickle
from collections import Counter
import numpy as np
import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score as ARI
ROOT=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
st=snowballstemmer.stemmer('english')
lex=tomllib.load(open(f'{ROOT}/assets/tendencies.toml','rb'))['tendency']
IDS=[t['id'] for t in lex]
def norm(s):
    s=s.lower().replace("’","'")
    s=re.sub(r"n't\b"," not",s); s=re.sub(r"'(s|re|ve|ll|d|m)\b"," ",s)
    return ' '.join(st.stemWords(re.findall(r"[a-z]+",s)))
def load(path):
    r=list(csv.DictReader(open(path)))
    cols=[[x.get(c,'') or '' for x in r] for c in ('root_cause','lesson','behavioral_change')]
    return cols,[x['tendency'] for x in r]
logs=[f'{ROOT}/data/failure-log-labelled.csv',f'{ROOT}/tests/data/personal-25.csv']+sorted(glob.glob(f'{ROOT}/tests/data/voices/dev/*.csv')+glob.glob(f'{ROOT}/tests/data/voices/holdout/*.csv'))
data={p:load(p) for p in logs}
def docs(cols): return [norm(' '.join(z)) for z in zip(*cols)]
def shuffled(cols,rng):
    out=[]
    for col in cols:
        words=[w for s in col for w in s.split()]
        rng.shuffle(words); it=iter(words)
        out.append([' '.join(next(it) for _ in s.split()) for s in col])
    return out
lexX=[];lexY=[];lexW=[]
for t in lex:
    for c in t['cues']: lexX.append(norm(c)); lexY.append(t['id']); lexW.append(1.0)
    for c in t.get('hints',[]): lexX.append(norm(c)); lexY.append(t['id']); lexW.append(0.5)
C=float(os.environ.get('C','4')); EW=float(os.environ.get('EW','3')); LOGS=os.environ.get('LOGS','1')=='1'
models={}
cache=f'/tmp/recur-probe-models_C{C}_EW{EW}_L{int(LOGS)}.pkl'
if os.path.exists(cache): models=pickle.load(open(cache,'rb'))
else:
    for hold in logs:
        X=list(lexX); Y=list(lexY); W=list(lexW)
        if LOGS:
            for p in logs:
                if p==hold: continue
                for a,b in zip(docs(data[p][0]),data[p][1]): X.append(a); Y.append(b if b in IDS else 'none'); W.append(EW)
        vec=TfidfVectorizer(ngram_range=(1,2),sublinear_tf=True,token_pattern=r"[a-z]+")
        M=vec.fit_transform(X)
        clf=LogisticRegression(C=C,max_iter=3000).fit(M,Y,sample_weight=W)
        models[hold]=(vec,clf)
    pickle.dump(models,open(cache,'wb'))
def seeds(vec,clf,d,TH):
    P=clf.predict_proba(vec.transform(d)); cls=clf.classes_
    out=[]
    for row in P:
        j=row.argmax(); out.append(cls[j] if row[j]>=TH and cls[j]!='none' else 'none')
    return out
def decide(vec,clf,cols,TH,MARGIN,rng):
    s=seeds(vec,clf,docs(cols),TH); cnt=Counter(s)
    null=Counter()
    R=8
    for _ in range(R):
        null.update(seeds(vec,clf,docs(shuffled(cols,rng)),TH))
    keep={t for t,c in cnt.items() if t!='none' and c>=3 and c>=null[t]/R*1.0+MARGIN}
    return [x if x in keep else 'none' for x in s]
for TH in [float(x) for x in os.environ.get('THS','0.4 0.5').split()]:
  for MARGIN in [float(x) for x in os.environ.get('MS','2 3').split()]:
    res=[];fp=0;fptot=0;found=tot=0
    for p in logs:
        vec,clf=models[p]; cols,g=data[p]; rng=random.Random(1)
        pred=decide(vec,clf,cols,TH,MARGIN,rng)
        for tag,c in Counter(g).items():
            if tag=='oneoff' or c<3: continue
            tot+=1
            idx=[i for i,x in enumerate(g) if x==tag]
            m=Counter(pred[i] for i in idx).most_common(1)[0]
            found+= (m[0]==tag and m[1]*2>=c)
        res.append(ARI(g,pred))
        if p!=logs[0]:
          for s in range(3):
            sc=shuffled(cols,random.Random(100+s))
            sp=decide(vec,clf,sc,TH,MARGIN,random.Random(7))
            fptot+=1; fp+= any(x!='none' for x in sp)
    print(f'TH={TH} M={MARGIN} sample={res[0]:.3f} voices mean={np.mean(res[2:]):.3f} min={min(res[2:]):.3f} found={found}/{tot} shuffled-with-pattern={fp}/{fptot}', ' '.join(f'{x:.2f}' for x in res[2:]), flush=True)
