namespace Drawbridge.Safety.Rules;

/// <summary>Words that name medicines, conditions, treatments, times and places in care.</summary>
internal static class ClinicalLexicon
{
    /// <summary>Medicines (UK generic and common brand names) and words for medication in general.</summary>
    public static readonly WordSet Medicines = new("""
        medication medications medicine medicines meds med tablet tablets pill pills capsule capsules dose doses dosage
        inhaler inhalers injection injections jab jabs patch patches cream drops spray prescription antibiotics antibiotic
        antidepressant antidepressants painkiller painkillers painkillers steroids steroid insulin statin statins
        sertraline citalopram escitalopram fluoxetine paroxetine mirtazapine venlafaxine duloxetine amitriptyline nortriptyline
        trazodone vortioxetine bupropion lithium quetiapine olanzapine risperidone aripiprazole clozapine haloperidol
        lamotrigine valproate sodium-valproate carbamazepine levetiracetam topiramate phenytoin gabapentin pregabalin
        diazepam lorazepam clonazepam temazepam zopiclone zolpidem melatonin promethazine propranolol
        paracetamol ibuprofen naproxen diclofenac aspirin codeine co-codamol cocodamol co-dydramol dihydrocodeine tramadol
        morphine oxycodone fentanyl buprenorphine methadone naloxone oramorph
        metformin gliclazide sitagliptin empagliflozin dapagliflozin canagliflozin semaglutide ozempic wegovy mounjaro tirzepatide liraglutide
        amlodipine ramipril lisinopril losartan candesartan bisoprolol atenolol furosemide bendroflumethiazide indapamide spironolactone
        digoxin atorvastatin simvastatin rosuvastatin pravastatin ezetimibe clopidogrel ticagrelor warfarin apixaban rivaroxaban
        edoxaban dabigatran heparin enoxaparin dalteparin isosorbide nitrate gtn
        levothyroxine carbimazole prednisolone prednisone hydrocortisone dexamethasone beclometasone budesonide fluticasone
        salbutamol ventolin terbutaline tiotropium montelukast seretide symbicort fostair
        omeprazole lansoprazole esomeprazole pantoprazole ranitidine famotidine gaviscon loperamide senna lactulose laxido movicol
        docusate bisacodyl mebeverine buscopan domperidone metoclopramide ondansetron cyclizine prochlorperazine
        amoxicillin co-amoxiclav flucloxacillin penicillin clarithromycin erythromycin azithromycin doxycycline
        trimethoprim nitrofurantoin cefalexin ciprofloxacin metronidazole clindamycin aciclovir fluconazole clotrimazole
        cetirizine loratadine fexofenadine chlorphenamine piriton epipen adrenaline
        methotrexate hydroxychloroquine sulfasalazine azathioprine mesalazine adalimumab infliximab allopurinol colchicine
        finasteride tamsulosin sildenafil tadalafil oxybutynin mirabegron solifenacin
        estradiol oestrogen progesterone hrt utrogestan evorel contraceptive microgynon cerazette desogestrel levonorgestrel
        mifepristone misoprostol folic iron ferrous vitamin vitamins calcium adcal alendronate alendronic risedronate
        donepezil memantine rivastigmine galantamine levodopa co-careldopa ropinirole pramipexole
        methylphenidate ritalin concerta lisdexamfetamine elvanse atomoxetine guanfacine
        nicotine varenicline champix vape e-cigarette cbd magnesium turmeric st-john's-wort
        tamoxifen letrozole anastrozole chemo chemotherapy immunotherapy radiotherapy
        """);

    /// <summary>Conditions, procedures and care events that, with a name and a time or place, identify a patient.</summary>
    public static readonly WordSet Conditions = new("""
        cancer tumour tumor leukaemia leukemia lymphoma melanoma metastatic mets chemo chemotherapy radiotherapy
        diabetes diabetic dka hypo hypoglycaemia asthma copd emphysema pneumonia sepsis septic covid flu influenza tb tuberculosis
        hiv aids hepatitis sti chlamydia gonorrhoea syphilis herpes
        dementia alzheimer's alzheimers parkinson's parkinsons ms epilepsy seizure seizures fit stroke tia
        mi stemi nstemi infarct cardiac arrest heart failure angina arrhythmia af fibrillation
        depression depressed anxiety psychosis psychotic schizophrenia bipolar ptsd ocd anorexia bulimia eating-disorder
        overdose od'd overdosed self-harm selfharm suicidal suicide sectioned detained crisis
        pregnant pregnancy miscarriage miscarried stillbirth stillborn termination abortion ectopic labour caesarean c-section
        fracture fractured broken dislocated amputation amputated transplant dialysis ventilated intubated
        surgery operation op biopsy scan mri ct x-ray endoscopy colonoscopy
        diagnosis diagnosed prognosis terminal palliative end-of-life dnacpr dnr hospice
        admitted admission discharged discharge died passed death deceased resus resuscitated resuscitation
        autism autistic adhd learning-disability disability disabled wheelchair
        addiction alcoholic alcoholism withdrawal detox heroin cocaine
        infection abscess ulcer wound sores pressure-sore cellulitis uti kidney renal liver cirrhosis
        """);

    /// <summary>Words that pin an account to a time.</summary>
    public static readonly WordSet Times = new("""
        yesterday today tonight tomorrow morning afternoon evening night overnight weekend shift
        monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
        january february march april june july august september october november december
        jan feb mar apr jun jul aug sep sept oct nov dec am pm o'clock
        """);

    /// <summary>Words that pin an account to a place.</summary>
    public static readonly WordSet Places = new("""
        ward bay bed cubicle side-room room a&e ae ed emergency resus icu itu hdu ccu nicu scbu theatre theatres recovery
        majors minors triage clinic hospital infirmary hospice surgery practice unit centre center home street road
        school prison station custody care-home nursing-home flat estate village town
        """);
}
